import { createHmac } from 'node:crypto';
import { DeliveryError } from '../delivery-error.js';
import { postJson, providerMessage } from '../http-post.js';
import { inertMarkdown, truncateUtf8 } from '../message-text.js';
import { type Sender, requireUrl, urlSecrets } from './sender.types.js';

/** Markdown bodies are cut to this size; the robots reject oversized messages outright. */
const MAX_TEXT_BYTES = 4000;

/**
 * Computes a DingTalk custom robot signature (加签): Base64(HMAC-SHA256(key = secret,
 * message = timestamp + "\n" + secret)), with the timestamp in milliseconds. The caller
 * URL-encodes it once, as a query parameter.
 */
export function signDingTalk(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * Sends a Markdown message to a DingTalk custom robot (自定义机器人) webhook,
 * `https://oapi.dingtalk.com/robot/send?access_token=…`. With a secret the request carries
 * `timestamp` and `sign` query parameters; DingTalk rejects a timestamp more than an hour off.
 * DingTalk answers HTTP 200 with `errcode` 0 on success and a non-zero code otherwise.
 */
export const sendDingTalk: Sender = async (target, _message, text, context) => {
  const url = new URL(requireUrl(target));
  if (target.secret) {
    const timestamp = context.now().getTime();
    // URLSearchParams percent-encodes the Base64 `+`, `/` and `=`, which is the urlEncode step.
    url.searchParams.set('timestamp', String(timestamp));
    url.searchParams.set('sign', signDingTalk(target.secret, timestamp));
  }

  const zh = text['zh-CN'];
  const en = text['en-US'];
  const markdown = [`#### ${inertMarkdown(zh.heading)}`, ...zh.lines.map(inertMarkdown), '---', `#### ${inertMarkdown(en.heading)}`, ...en.lines.map(inertMarkdown)].join('\n\n');
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: zh.heading, text: truncateUtf8(markdown, MAX_TEXT_BYTES) } });

  const secrets = [...urlSecrets(target.url), target.secret, url.searchParams.get('sign')];
  const { status, json } = await postJson({ provider: 'DingTalk', url: url.toString(), body, fetch: context.fetch, timeoutMs: context.timeoutMs, secrets });
  const answer = json as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (status !== 200) {
    throw new DeliveryError(`DingTalk returned HTTP ${status}`);
  }
  if (answer?.errcode !== 0) {
    throw new DeliveryError(`DingTalk rejected the message: errcode ${String(answer?.errcode ?? 'missing')} ${providerMessage(answer?.errmsg, secrets)}`.trim());
  }
};
