import { DeliveryError, scrubErrorText } from './delivery-error.js';

export interface HttpPostOptions {
  /** Provider name used in error texts, such as `DingTalk`. */
  readonly provider: string;
  readonly url: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  /** Values to strip from any error text: the URL's token and the signing secret. */
  readonly secrets: readonly (string | null | undefined)[];
}

export interface HttpPostResult {
  readonly status: number;
  /** The parsed JSON body, or `undefined` when the body is empty or not JSON. */
  readonly json: unknown;
}

/**
 * Posts a JSON body and reads the response whatever its status, because the robot services report
 * most errors in the body of an HTTP 200. Redirects are refused, so a URL cannot bounce the
 * request, with its signature, to another host. Throws DeliveryError when no response arrives.
 */
export async function postJson({ provider, url, body, headers = {}, fetch, timeoutMs, secrets }: HttpPostOptions): Promise<HttpPostResult> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'LedgerGuard-Notifier/1', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new DeliveryError(`${provider} request ${describeNetworkError(error, timeoutMs, secrets)}`, { cause: error });
  }

  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

function describeNetworkError(error: unknown, timeoutMs: number, secrets: readonly (string | null | undefined)[]): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }

  // undici puts the socket error (ECONNREFUSED, ENOTFOUND, a redirect refusal) in `cause`.
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(cause.code) ? cause.code : undefined;
  if (code) return `failed (${code})`;
  if (typeof cause?.message === 'string') return `failed (${scrubErrorText(cause.message, secrets)})`;
  return 'failed';
}

/** Keeps a provider's error message short and free of URLs and secrets. */
export function providerMessage(value: unknown, secrets: readonly (string | null | undefined)[]): string {
  return typeof value === 'string' ? scrubErrorText(value, secrets).slice(0, 120) : '';
}
