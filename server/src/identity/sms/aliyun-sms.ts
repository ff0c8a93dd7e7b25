import { createHmac, randomUUID } from 'node:crypto';
import { SmsSendError, type SmsMessage, type SmsProvider, assertSendableMessage, fetchProviderJson, providerErrorCode } from './sms-provider.js';

export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com/';
const API_VERSION = '2017-05-25';

/**
 * Percent-encodes a value the way Alibaba Cloud's RPC signature requires: UTF-8, every byte
 * except A–Z a–z 0–9 - _ . ~ as %XY, so a space becomes %20 (not +) and * becomes %2A.
 */
export function percentEncodeRpc(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorts the parameters by name and joins the encoded pairs. The string to sign and the request URL both use this query. */
export function canonicalizeRpcQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${percentEncodeRpc(name)}=${percentEncodeRpc(params[name] ?? '')}`)
    .join('&');
}

/**
 * Computes the RPC signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0):
 * Base64(HMAC-SHA1(AccessKeySecret + '&', method & %2F & percentEncode(canonical query))).
 * `params` contains every request parameter except `Signature`.
 */
export function signRpcRequest({ method, params, accessKeySecret }: { method: 'GET' | 'POST'; params: Readonly<Record<string, string>>; accessKeySecret: string }): string {
  const stringToSign = `${method}&${percentEncodeRpc('/')}&${percentEncodeRpc(canonicalizeRpcQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** Formats the time to the second, as Alibaba Cloud expects: `2017-07-12T02:42:19Z`. */
function rpcTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature name shown in 【】, for example 账安. */
  signName: string;
  /** The approved template code, e.g. SMS_123456789, whose one variable is `${code}`. */
  templateCode: string;
  endpoint?: string;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  now?: () => Date;
}

/** Sends sign-in codes with the SendSms action of Alibaba Cloud's Short Message Service (API 2017-05-25). */
export class AliyunSmsProvider implements SmsProvider {
  readonly #options: Readonly<Required<AliyunSmsOptions>>;

  constructor({ endpoint = ALIYUN_SMS_ENDPOINT, fetch = globalThis.fetch, timeoutMs = 10_000, now = () => new Date(), ...credentials }: AliyunSmsOptions) {
    this.#options = Object.freeze({ ...credentials, endpoint, fetch, timeoutMs, now });
  }

  async send(message: SmsMessage): Promise<void> {
    assertSendableMessage(message);
    const options = this.#options;

    const params: Record<string, string> = {
      AccessKeyId: options.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: message.phone,
      RegionId: 'cn-hangzhou',
      SignName: options.signName,
      SignatureMethod: 'HMAC-SHA1',
      // A fresh nonce per request: the service rejects a nonce it has seen, which stops replays.
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: options.templateCode,
      TemplateParam: JSON.stringify({ code: message.params.code }),
      Timestamp: rpcTimestamp(options.now()),
      Version: API_VERSION,
    };
    const signature = signRpcRequest({ method: 'GET', params, accessKeySecret: options.accessKeySecret });

    const url = new URL(options.endpoint);
    url.search = `${canonicalizeRpcQuery(params)}&Signature=${percentEncodeRpc(signature)}`;
    const answer = await fetchProviderJson({ provider: 'Aliyun', fetch: options.fetch, url: url.toString(), init: { method: 'GET' }, timeoutMs: options.timeoutMs });

    const code = (answer as { Code?: unknown } | null)?.Code;
    if (code !== 'OK') {
      const providerCode = providerErrorCode(code);
      throw new SmsSendError('sms_provider_rejected', `Aliyun SendSms rejected the message: ${providerCode ?? 'no error code'}`, { providerCode });
    }
  }
}
