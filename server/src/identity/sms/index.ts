export {
  OutboxSmsProvider,
  SMS_SEND_ERROR_CODES,
  SmsSendError,
  readOutbox,
  renderSmsText,
  type OutboxEntry,
  type SmsMessage,
  type SmsProvider,
  type SmsSendErrorCode,
} from './sms-provider.js';
export { ALIYUN_SMS_ENDPOINT, AliyunSmsProvider, signRpcRequest, type AliyunSmsOptions } from './aliyun-sms.js';
export { TENCENT_SMS_ENDPOINT, TencentSmsProvider, signTc3Request, type TencentSmsOptions } from './tencent-sms.js';
export {
  DEFAULT_SMS_LIMITS,
  SmsCodeService,
  SmsLimitError,
  type SmsCodeServiceOptions,
  type SmsLimitName,
  type SmsLimits,
  type SmsPurpose,
} from './sms-code.service.js';
