import { createHash, createHmac } from 'node:crypto';
import { SmsSendError, type SmsMessage, type SmsProvider, assertSendableMessage, fetchProviderJson, providerErrorCode } from './sms-provider.js';

export const TENCENT_SMS_ENDPOINT = 'https://sms.tencentcloudapi.com';
const API_VERSION = '2021-01-11';
const SERVICE = 'sms';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmacSha256 = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  /** The product's service name in the credential scope, e.g. `sms` or `cvm`. */
  service: string;
  /** The Host header as sent, with the port when it is not the scheme's default. */
  host: string;
  contentType: string;
  payload: string;
  /** Unix time in seconds, the value of X-TC-Timestamp. */
  timestamp: number;
}

export interface Tc3Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
}

/**
 * Signs a POST to TencentCloud API 3.0 with TC3-HMAC-SHA256, signing the content-type and host
 * headers. The credential scope's date is the UTC date of the timestamp, so a request signed
 * just after midnight in China still carries the previous day.
 */
export function signTc3Request({ secretId, secretKey, service, host, contentType, payload, timestamp }: Tc3Request): Tc3Signature {
  const signedHeaders = 'content-type;host';
  const canonicalHeaders = `content-type:${contentType.trim().toLowerCase()}\nhost:${host.trim().toLowerCase()}\n`;
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha256Hex(payload)].join('\n');

  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const credentialScope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');

  const signingKey = hmacSha256(hmacSha256(hmacSha256(`TC3${secretKey}`, date), service), 'tc3_request');
  const signature = hmacSha256(signingKey, stringToSign).toString('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization };
}

export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** The SMS application id (SmsSdkAppId) from the SMS console, e.g. 1400006666. */
  sdkAppId: string;
  signName: string;
  /** The approved template id, whose one variable {1} is the code. */
  templateId: string;
  region?: string;
  endpoint?: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  now?: () => Date;
}

interface SendSmsAnswer {
  Response?: {
    Error?: { Code?: unknown };
    SendStatusSet?: { Code?: unknown }[];
  };
}

/** Sends sign-in codes with the SendSms action of Tencent Cloud SMS (API 2021-01-11). */
export class TencentSmsProvider implements SmsProvider {
  readonly #options: Readonly<Required<TencentSmsOptions>>;

  constructor({ region = 'ap-guangzhou', endpoint = TENCENT_SMS_ENDPOINT, fetch = globalThis.fetch, timeoutMs = 10_000, now = () => new Date(), ...credentials }: TencentSmsOptions) {
    this.#options = Object.freeze({ ...credentials, region, endpoint, fetch, timeoutMs, now });
  }

  async send(message: SmsMessage): Promise<void> {
    assertSendableMessage(message);
    const options = this.#options;

    const payload = JSON.stringify({
      PhoneNumberSet: [`+86${message.phone}`],
      SmsSdkAppId: options.sdkAppId,
      SignName: options.signName,
      TemplateId: options.templateId,
      TemplateParamSet: [message.params.code],
    });
    const url = new URL(options.endpoint);
    const timestamp = Math.floor(options.now().getTime() / 1000);
    const { authorization } = signTc3Request({ secretId: options.secretId, secretKey: options.secretKey, service: SERVICE, host: url.host, contentType: JSON_CONTENT_TYPE, payload, timestamp });

    // fetch derives the Host header from the URL, which is the host that was signed.
    const headers = {
      Authorization: authorization,
      'Content-Type': JSON_CONTENT_TYPE,
      'X-TC-Action': 'SendSms',
      'X-TC-Version': API_VERSION,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-Region': options.region,
    };
    const answer = (await fetchProviderJson({ provider: 'Tencent', fetch: options.fetch, url: url.toString(), init: { method: 'POST', headers, body: payload }, timeoutMs: options.timeoutMs })) as SendSmsAnswer | null;

    // A request-level failure (signature, quota, parameters) comes as Response.Error. A
    // per-number failure comes as a SendStatusSet entry whose Code is not `Ok`.
    const error = answer?.Response?.Error;
    if (error) {
      const providerCode = providerErrorCode(error.Code);
      throw new SmsSendError('sms_provider_rejected', `Tencent SendSms rejected the request: ${providerCode ?? 'no error code'}`, { providerCode });
    }
    const status = answer?.Response?.SendStatusSet?.[0];
    if (!status) {
      throw new SmsSendError('sms_provider_bad_response', 'Tencent SendSms response contains no send status');
    }
    if (status.Code !== 'Ok') {
      const providerCode = providerErrorCode(status.Code);
      throw new SmsSendError('sms_provider_rejected', `Tencent SendSms rejected the message: ${providerCode ?? 'no error code'}`, { providerCode });
    }
  }
}
