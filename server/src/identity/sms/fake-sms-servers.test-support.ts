import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRpcRequest } from './aliyun-sms.js';
import { signTc3Request } from './tencent-sms.js';

/** One request as a fake provider saw it, accepted or not. */
export interface ReceivedSms {
  accepted: boolean;
  /** The provider error code the fake returned, when it rejected the request. */
  rejection?: string;
  /** As sent: 11 digits for Alibaba Cloud, +86 and 11 digits for Tencent Cloud. */
  phone?: string;
  code?: string;
  signName?: string;
  template?: string;
  region?: string;
}

export interface FakeSmsServer {
  /** Base URL on 127.0.0.1, to pass as the provider's `endpoint`. */
  readonly url: string;
  readonly received: ReceivedSms[];
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, body: string) => { status: number; answer: unknown; received: ReceivedSms };

async function startFakeServer(handler: Handler): Promise<FakeSmsServer> {
  const received: ReceivedSms[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let outcome: ReturnType<Handler>;
      try {
        outcome = handler(request, Buffer.concat(chunks).toString('utf8'));
      } catch {
        // A request the handler cannot even parse, such as a broken percent-escape.
        outcome = { status: 400, answer: { Code: 'MalformedRequest' }, received: { accepted: false, rejection: 'MalformedRequest' } };
      }
      const { status, answer, received: entry } = outcome;
      received.push(entry);
      response.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
      response.end(JSON.stringify(answer));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Splits a raw query without treating + as a space, so a wrongly encoded space fails the signature. */
function parseRawQuery(rawQuery: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of rawQuery.split('&').filter(Boolean)) {
    const separator = pair.indexOf('=');
    const name = decodeURIComponent(separator < 0 ? pair : pair.slice(0, separator));
    params[name] = separator < 0 ? '' : decodeURIComponent(pair.slice(separator + 1));
  }
  return params;
}

function parseJsonObject(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A fake of Alibaba Cloud's SendSms endpoint. It recomputes the RPC signature from the query it
 * received with the known secret and returns `{"Code":"OK"}` only when the signature matches.
 * A reused SignatureNonce is rejected as the real service does.
 */
export function startFakeAliyunSms({ accessKeyId, accessKeySecret }: { accessKeyId: string; accessKeySecret: string }): Promise<FakeSmsServer> {
  const seenNonces = new Set<string>();

  return startFakeServer((request) => {
    const requestUrl = new URL(request.url ?? '/', 'http://fake');
    const { Signature: signature, ...params } = parseRawQuery(requestUrl.search.slice(1));
    const templateParam = parseJsonObject(params.TemplateParam) as { code?: string };
    const received: ReceivedSms = { accepted: false, phone: params.PhoneNumbers, code: templateParam.code, signName: params.SignName, template: params.TemplateCode };

    const reject = (status: number, code: string) => ({ status, answer: { Code: code, Message: `fake rejected: ${code}`, RequestId: randomUUID() }, received: { ...received, rejection: code } });
    if (request.method !== 'GET' || requestUrl.pathname !== '/') {
      return reject(404, 'InvalidAction.NotFound');
    }
    if (params.AccessKeyId !== accessKeyId) {
      return reject(404, 'InvalidAccessKeyId.NotFound');
    }
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25' || params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0' || !params.Timestamp) {
      return reject(400, 'MissingParameter');
    }
    if (signature !== signRpcRequest({ method: 'GET', params, accessKeySecret })) {
      return reject(400, 'SignatureDoesNotMatch');
    }
    if (!params.SignatureNonce || seenNonces.has(params.SignatureNonce)) {
      return reject(400, 'SignatureNonceUsed');
    }

    seenNonces.add(params.SignatureNonce);
    return { status: 200, answer: { Code: 'OK', Message: 'OK', BizId: randomUUID(), RequestId: randomUUID() }, received: { ...received, accepted: true } };
  });
}

const AUTHORIZATION = /^TC3-HMAC-SHA256 Credential=([^/]+)\/\d{4}-\d{2}-\d{2}\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/;

/**
 * A fake of Tencent Cloud's SMS endpoint. It recomputes the TC3-HMAC-SHA256 authorization from
 * the Host, Content-Type, X-TC-Timestamp and body it received, with the known secret key, and
 * returns a send status `Ok` only when it matches. Otherwise it returns `Response.Error`.
 */
export function startFakeTencentSms({ secretId, secretKey }: { secretId: string; secretKey: string }): Promise<FakeSmsServer> {
  return startFakeServer((request, body) => {
    const header = (name: string) => String(request.headers[name] ?? '');
    const payload = parseJsonObject(body) as { PhoneNumberSet?: string[]; TemplateParamSet?: string[]; SignName?: string; TemplateId?: string };
    const received: ReceivedSms = { accepted: false, phone: payload.PhoneNumberSet?.[0], code: payload.TemplateParamSet?.[0], signName: payload.SignName, template: payload.TemplateId, region: header('x-tc-region') };

    const reject = (code: string) => ({ status: 200, answer: { Response: { Error: { Code: code, Message: `fake rejected: ${code}` }, RequestId: randomUUID() } }, received: { ...received, rejection: code } });
    const authorization = header('authorization');
    const credential = AUTHORIZATION.exec(authorization);
    if (request.method !== 'POST' || !credential) {
      return reject('AuthFailure.InvalidAuthorization');
    }
    if (credential[1] !== secretId) {
      return reject('AuthFailure.SecretIdNotFound');
    }
    if (header('x-tc-action') !== 'SendSms' || header('x-tc-version') !== '2021-01-11' || !header('x-tc-region') || !/^\d{1,12}$/.test(header('x-tc-timestamp'))) {
      return reject('InvalidParameter');
    }
    const expected = signTc3Request({ secretId, secretKey, service: 'sms', host: header('host'), contentType: header('content-type'), payload: body, timestamp: Number(header('x-tc-timestamp')) });
    if (authorization !== expected.authorization) {
      return reject('AuthFailure.SignatureFailure');
    }

    const status = { SerialNo: randomUUID(), PhoneNumber: received.phone, Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' };
    return { status: 200, answer: { Response: { SendStatusSet: [status], RequestId: randomUUID() } }, received: { ...received, accepted: true } };
  });
}
