import { createHmac, timingSafeEqual } from 'node:crypto';
import { type FakeServer, isJsonRequest, startFakeHttpServer } from './fake-http-server.js';

/** A fake robot with the webhook URL that the channel is configured with. */
export type FakeRobot = FakeServer & { readonly webhookUrl: string };

type Clock = () => Date;

/** DingTalk and Feishu reject a signature whose timestamp is more than an hour off their clock. */
const ROBOT_TIMESTAMP_WINDOW_MS = 3_600_000;

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left, 'utf8');
  const b = Buffer.from(right, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/**
 * Starts a fake DingTalk custom robot at `/robot/send?access_token=…`. With a secret it requires the
 * `timestamp` (milliseconds, within an hour) and `sign` query parameters, where sign is the
 * URL-decoded Base64 HMAC-SHA256 of `timestamp\nsecret` keyed with the secret. Like DingTalk,
 * it returns HTTP 200 with a non-zero `errcode` for every rejection.
 */
export async function startFakeDingTalk({ accessToken, secret, now = () => new Date() }: { accessToken: string; secret?: string; now?: Clock }): Promise<FakeRobot> {
  const server = await startFakeHttpServer(({ method, url, headers, body }) => {
    const reject = (errcode: number, errmsg: string) => ({ reply: { status: 200, body: { errcode, errmsg } }, rejection: errmsg });
    if (method !== 'POST' || url.pathname !== '/robot/send') return { reply: { status: 404, body: '<html>Not Found</html>' }, rejection: 'not found' };
    if (url.searchParams.get('access_token') !== accessToken) return reject(300001, 'token is not exist');

    if (secret) {
      const timestamp = url.searchParams.get('timestamp') ?? '';
      const sign = url.searchParams.get('sign') ?? '';
      if (!/^\d{13}$/.test(timestamp) || Math.abs(now().getTime() - Number(timestamp)) > ROBOT_TIMESTAMP_WINDOW_MS) return reject(310000, 'invalid timestamp');
      const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
      if (!sameText(sign, expected)) return reject(310000, 'sign not match');
    }

    if (!isJsonRequest(headers) || !isRecord(body)) return reject(40035, 'missing parameter json');
    const markdown = body.markdown;
    const text = body.text;
    const wellFormed = (body.msgtype === 'markdown' && isRecord(markdown) && nonEmptyText(markdown.title) && nonEmptyText(markdown.text)) || (body.msgtype === 'text' && isRecord(text) && nonEmptyText(text.content));
    if (!wellFormed) return reject(40035, 'missing parameter msgtype or content');
    return { reply: { status: 200, body: { errcode: 0, errmsg: 'ok' } } };
  });
  return { ...server, webhookUrl: `${server.origin}/robot/send?access_token=${accessToken}` };
}

/**
 * Starts a fake WeCom group robot at `/cgi-bin/webhook/send?key=…`. WeCom robots do not sign,
 * so it checks the key, the message type and the documented size limits (Markdown 4096 bytes,
 * text 2048 bytes). It returns HTTP 200 with a non-zero `errcode` for every rejection.
 */
export async function startFakeWeCom({ key }: { key: string }): Promise<FakeRobot> {
  const server = await startFakeHttpServer(({ method, url, headers, body }) => {
    const reject = (errcode: number, errmsg: string) => ({ reply: { status: 200, body: { errcode, errmsg } }, rejection: errmsg });
    if (method !== 'POST' || url.pathname !== '/cgi-bin/webhook/send') return { reply: { status: 404, body: '<html>Not Found</html>' }, rejection: 'not found' };
    if (url.searchParams.get('key') !== key) return reject(93000, 'invalid webhook url');
    if (!isJsonRequest(headers) || !isRecord(body)) return reject(40008, 'invalid message type');

    const content = body.msgtype === 'markdown' && isRecord(body.markdown) ? body.markdown.content : body.msgtype === 'text' && isRecord(body.text) ? body.text.content : undefined;
    if (!nonEmptyText(content)) return reject(40008, 'invalid message type');
    if (Buffer.byteLength(content, 'utf8') > (body.msgtype === 'markdown' ? 4096 : 2048)) return reject(40058, 'content exceed max length');
    return { reply: { status: 200, body: { errcode: 0, errmsg: 'ok' } } };
  });
  return { ...server, webhookUrl: `${server.origin}/cgi-bin/webhook/send?key=${key}` };
}

/**
 * Starts a fake Feishu custom bot at `/open-apis/bot/v2/hook/<token>`. With a secret it requires
 * `timestamp` (a string of seconds, within an hour) and `sign` in the JSON body, where sign is
 * the Base64 HMAC-SHA256 of an empty message keyed with `timestamp\nsecret`. Rejections carry
 * a non-zero `code`, as Feishu's do.
 */
export async function startFakeFeishu({ hookToken, secret, now = () => new Date() }: { hookToken: string; secret?: string; now?: Clock }): Promise<FakeRobot> {
  const server = await startFakeHttpServer(({ method, url, headers, body }) => {
    const reject = (code: number, msg: string) => ({ reply: { status: 200, body: { code, msg, data: {} } }, rejection: msg });
    if (method !== 'POST' || !url.pathname.startsWith('/open-apis/bot/v2/hook/')) return { reply: { status: 404, body: '<html>Not Found</html>' }, rejection: 'not found' };
    if (url.pathname.slice('/open-apis/bot/v2/hook/'.length) !== hookToken) return reject(19001, 'param invalid: incoming webhook access token invalid');
    if (!isJsonRequest(headers) || !isRecord(body)) return reject(9499, 'Bad Request');

    if (secret) {
      const { timestamp, sign } = body;
      if (typeof timestamp !== 'string' || !/^\d{10}$/.test(timestamp) || Math.abs(now().getTime() / 1000 - Number(timestamp)) > ROBOT_TIMESTAMP_WINDOW_MS / 1000) {
        return reject(19021, 'sign match fail or timestamp is not within one hour from current time');
      }
      const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
      if (typeof sign !== 'string' || !sameText(sign, expected)) return reject(19021, 'sign match fail or timestamp is not within one hour from current time');
    }

    const content = body.content;
    if (body.msg_type !== 'text' || !isRecord(content) || !nonEmptyText(content.text)) return reject(9499, 'Bad Request');
    return { reply: { status: 200, body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } } };
  });
  return { ...server, webhookUrl: `${server.origin}/open-apis/bot/v2/hook/${hookToken}` };
}

/**
 * Starts a receiver of LedgerGuard's generic webhook, written from the documented contract. It
 * recomputes `sha256=` + hex HMAC-SHA256(secret, timestamp + "." + raw body) and rejects a
 * wrong signature or a timestamp more than five minutes off with HTTP 401.
 */
export async function startFakeWebhookReceiver({ path, secret, now = () => new Date(), toleranceSeconds = 300 }: { path: string; secret: string; now?: Clock; toleranceSeconds?: number }): Promise<FakeRobot> {
  const server = await startFakeHttpServer(({ method, url, headers, rawBody, body }) => {
    const reject = (status: number, reason: string) => ({ reply: { status, body: { error: reason } }, rejection: reason });
    if (method !== 'POST' || `${url.pathname}${url.search}` !== path) return reject(404, 'not found');

    const timestamp = String(headers['x-ledgerguard-timestamp'] ?? '');
    const signature = String(headers['x-ledgerguard-signature'] ?? '');
    if (!/^\d{10}$/.test(timestamp) || Math.abs(now().getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return reject(401, 'stale timestamp');
    const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`;
    if (!sameText(signature, expected)) return reject(401, 'bad signature');

    if (!isJsonRequest(headers) || !isRecord(body) || typeof body.event !== 'string' || typeof body.deliveryId !== 'string' || headers['x-ledgerguard-delivery'] !== body.deliveryId) return reject(400, 'malformed body');
    return { reply: { status: 200, body: { received: true } } };
  });
  return { ...server, webhookUrl: `${server.origin}${path}` };
}
