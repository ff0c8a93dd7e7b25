import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { AliyunSmsProvider, OutboxSmsProvider, type SmsProvider, TencentSmsProvider } from '../identity/sms/index.js';

/**
 * Builds the configured SMS provider. The default outbox writes messages to a file in the data
 * folder and the console, for development and trials; a cloud provider needs its credentials.
 */
export function createSmsProvider(config: AppConfig, logger: Logger): SmsProvider {
  const sms = config.sms;
  const required = (name: string, value: string | undefined) => {
    if (!value) throw new Error(`Invalid configuration: SMS_PROVIDER=${sms.provider} needs ${name}`);
    return value;
  };
  switch (sms.provider) {
    case 'outbox':
      return new OutboxSmsProvider({
        file: path.join(config.dataDir, 'sms-outbox.jsonl'),
        // Showing the text (with its code) on the console is the point of the development
        // provider. It stays out of the structured log, because that log may be shipped elsewhere.
        log: (text) => {
          console.log(`[SMS outbox] ${text}`);
          logger.info('SMS written to the outbox');
        },
      });
    case 'aliyun':
      return new AliyunSmsProvider({
        accessKeyId: required('SMS_ACCESS_KEY_ID', sms.accessKeyId),
        accessKeySecret: required('SMS_ACCESS_KEY_SECRET', sms.accessKeySecret),
        signName: required('SMS_SIGN_NAME', sms.signName),
        templateCode: required('SMS_TEMPLATE', sms.template),
        ...(sms.endpoint ? { endpoint: sms.endpoint } : {}),
      });
    case 'tencent':
      return new TencentSmsProvider({
        secretId: required('SMS_ACCESS_KEY_ID', sms.accessKeyId),
        secretKey: required('SMS_ACCESS_KEY_SECRET', sms.accessKeySecret),
        sdkAppId: required('SMS_SDK_APP_ID', sms.sdkAppId),
        signName: required('SMS_SIGN_NAME', sms.signName),
        templateId: required('SMS_TEMPLATE', sms.template),
        ...(sms.endpoint ? { endpoint: sms.endpoint } : {}),
      });
  }
}
