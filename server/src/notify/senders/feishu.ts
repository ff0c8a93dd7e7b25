import { createHmac } from 'node:crypto';
import { DeliveryError } from '../delivery-error.js';
import { postJson, providerMessage } from '../http-post.js';
import { plainText, truncateUtf8 } from '../message-text.js';
import { type Sender, requireUrl, urlSecrets } from './sender.types.js';

/** Text bodies are cut to this size; Feishu rejects request bodies above 20 KB. */
const MAX_TEXT_BYTES = 4000;

/**
 * Computes a Feishu / Lark custom bot signature (签名校验): the string `timestamp + "\n" + secret`
 * is the HMAC-SHA256 key and the message is empty; the digest is Base64-encoded. The timestamp
 * is in seconds, and Feishu rejects one more than an hour off.
 */
export function signFeishu(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/**
 * Sends a text message to a Feishu or Lark custom bot (自定义机器人),
 * `https://open.feishu.cn/open-apis/bot/v2/hook/…`. With a secret, `timestamp` (a string of
 * seconds) and `sign` go in the JSON body. Feishu reports failure in `code` (current) or
 * `StatusCode` (older responses); either being non-zero means the message was not sent.
 */
export const sendFeishu: Sender = async (target, _message, text, context) => {
  const signature: Record<string, string> = {};
  if (target.secret) {
    const timestamp = Math.floor(context.now().getTime() / 1000);
    signature.timestamp = String(timestamp);
    signature.sign = signFeishu(target.secret, timestamp);
  }
  const body = JSON.stringify({ ...signature, msg_type: 'text', content: { text: truncateUtf8(plainText(text), MAX_TEXT_BYTES) } });

  const secrets = [...urlSecrets(target.url), target.secret, signature.sign];
  const { status, json } = await postJson({ provider: 'Feishu', url: requireUrl(target), body, fetch: context.fetch, timeoutMs: context.timeoutMs, secrets });
  const answer = json as { code?: unknown; msg?: unknown; StatusCode?: unknown; StatusMessage?: unknown } | undefined;
  const code = answer?.code ?? answer?.StatusCode;
  if (code !== undefined && code !== 0) {
    throw new DeliveryError(`Feishu rejected the message: code ${String(code)} ${providerMessage(answer?.msg ?? answer?.StatusMessage, secrets)}`.trim());
  }
  if (status !== 200) {
    throw new DeliveryError(`Feishu returned HTTP ${status}`);
  }
  if (code === undefined) {
    throw new DeliveryError('Feishu returned a response without a status code');
  }
};
