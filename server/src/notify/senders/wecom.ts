import { DeliveryError } from '../delivery-error.js';
import { postJson, providerMessage } from '../http-post.js';
import { inertMarkdown, truncateUtf8 } from '../message-text.js';
import { type Sender, requireUrl, urlSecrets } from './sender.types.js';

/** WeCom limits `markdown.content` to 4096 bytes of UTF-8. */
const MAX_CONTENT_BYTES = 4096;

/**
 * Sends a Markdown message to a WeCom group robot (企业微信群机器人),
 * `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`. WeCom robots have no signing: the
 * `key` in the URL is the only credential, which is why the URL is stored encrypted. WeCom
 * answers HTTP 200 with `errcode` 0 on success and a non-zero code otherwise.
 */
export const sendWeCom: Sender = async (target, _message, text, context) => {
  const zh = text['zh-CN'];
  const en = text['en-US'];
  // `warning` is one of the three font colours WeCom's Markdown subset supports.
  const content = [`**<font color="warning">${inertMarkdown(zh.heading)}</font>**`, ...zh.lines.map((line) => `> ${inertMarkdown(line)}`), '', `**${inertMarkdown(en.heading)}**`, ...en.lines.map((line) => `> ${inertMarkdown(line)}`)].join('\n');
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: truncateUtf8(content, MAX_CONTENT_BYTES) } });

  const secrets = urlSecrets(target.url);
  const { status, json } = await postJson({ provider: 'WeCom', url: requireUrl(target), body, fetch: context.fetch, timeoutMs: context.timeoutMs, secrets });
  const answer = json as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (status !== 200) {
    throw new DeliveryError(`WeCom returned HTTP ${status}`);
  }
  if (answer?.errcode !== 0) {
    throw new DeliveryError(`WeCom rejected the message: errcode ${String(answer?.errcode ?? 'missing')} ${providerMessage(answer?.errmsg, secrets)}`.trim());
  }
};
