import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A sign-in code message. Providers render it from their own approved template. */
export interface SmsMessage {
  /** Mainland China mobile number, 11 digits without a country prefix. */
  phone: string;
  template: 'sign_in_code';
  params: { code: string; minutes: number };
}

export interface SmsProvider {
  /** Sends the message. Resolves once the provider accepted it and throws `SmsSendError` otherwise. */
  send(message: SmsMessage): Promise<void>;
}

export const SMS_SEND_ERROR_CODES = [
  'sms_invalid_request',
  'sms_provider_unreachable',
  'sms_provider_rejected',
  'sms_provider_bad_response',
  'sms_outbox_failed',
] as const;

export type SmsSendErrorCode = (typeof SMS_SEND_ERROR_CODES)[number];

/**
 * A message that was not sent. `providerCode` is the provider's own error code (for example
 * `isv.BUSINESS_LIMIT_CONTROL`), kept for the log. Neither the message nor the codes carry a
 * key, a signature or the phone number.
 */
export class SmsSendError extends Error {
  readonly code: SmsSendErrorCode;
  readonly providerCode: string | undefined;

  constructor(code: SmsSendErrorCode, message: string, { providerCode, cause }: { providerCode?: string; cause?: unknown } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SmsSendError';
    this.code = code;
    this.providerCode = providerCode;
  }
}

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const CODE_DIGITS = /^\d{4,8}$/;

/** Throws `sms_invalid_request` unless the phone is a bare 11-digit mobile and the code is digits. */
export function assertSendableMessage(message: SmsMessage): void {
  if (!MAINLAND_MOBILE.test(message.phone)) {
    throw new SmsSendError('sms_invalid_request', 'SMS phone must be an 11-digit mainland China mobile number');
  }
  if (message.template !== 'sign_in_code') {
    throw new SmsSendError('sms_invalid_request', `SMS template ${String(message.template)} is not supported`);
  }
  if (!CODE_DIGITS.test(message.params.code) || !Number.isInteger(message.params.minutes) || message.params.minutes <= 0) {
    throw new SmsSendError('sms_invalid_request', 'SMS code must be 4 to 8 digits and minutes a positive integer');
  }
}

/**
 * Sends one request to a provider and parses the JSON response body whatever the HTTP status,
 * because both clouds report signature and quota errors in the body of 4xx responses. The error names
 * the provider only: the URL is left out because a signed URL carries the signature.
 */
export async function fetchProviderJson({ provider, fetch, url, init, timeoutMs }: { provider: string; fetch: typeof globalThis.fetch; url: string; init: RequestInit; timeoutMs: number }): Promise<unknown> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    body = await response.text();
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'failed';
    throw new SmsSendError('sms_provider_unreachable', `${provider} SMS request ${reason}`, { cause: error });
  }

  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new SmsSendError('sms_provider_bad_response', `${provider} SMS response was HTTP ${response.status} without a JSON body`);
  }
}

/** Keeps a provider error code only when it looks like one, so no echoed input reaches the log. */
export function providerErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,80}$/.test(value) ? value : undefined;
}

/** Renders the Chinese text that a member receives. The outbox stores exactly this text. */
export function renderSmsText(message: SmsMessage): string {
  return `【账安】您的登录验证码为 ${message.params.code}，${message.params.minutes} 分钟内有效。请勿告诉他人。`;
}

/** One line of the outbox file. */
export interface OutboxEntry {
  time: string;
  phone: string;
  text: string;
}

/**
 * The development provider: appends each message as a JSON line to a file that only the
 * server's user can read (mode 0600) and passes the text to `log`. The text contains the code,
 * so `log` should write to the operator's console, not to the operational log.
 */
export class OutboxSmsProvider implements SmsProvider {
  readonly #file: string;
  readonly #log: (text: string) => void;
  readonly #now: () => Date;

  constructor({ file, log, now = () => new Date() }: { file: string; log: (text: string) => void; now?: () => Date }) {
    this.#file = file;
    this.#log = log;
    this.#now = now;
  }

  async send(message: SmsMessage): Promise<void> {
    assertSendableMessage(message);
    const text = renderSmsText(message);
    const entry: OutboxEntry = { time: this.#now().toISOString(), phone: message.phone, text };

    try {
      await mkdir(path.dirname(this.#file), { recursive: true, mode: 0o700 });
      // The mode applies only when the file is created, so an existing outbox keeps its mode.
      await appendFile(this.#file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 });
    } catch (error) {
      throw new SmsSendError('sms_outbox_failed', 'Writing the SMS outbox file failed', { cause: error });
    }

    this.#log(text);
  }
}

/** Returns every message in an outbox file, oldest first, or an empty list when the file does not exist. */
export async function readOutbox(file: string): Promise<OutboxEntry[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }

  return content
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OutboxEntry);
}
