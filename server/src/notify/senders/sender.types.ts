import type { Mailer } from '../mailer.js';
import type { MessageText, OutgoingMessage } from '../message-text.js';
import type { ChannelKind } from '../notify.tables.js';

/** A channel's decrypted settings, held only for the duration of one send. */
export interface ChannelTarget {
  readonly kind: ChannelKind;
  readonly url: string | null;
  readonly secret: string | null;
  readonly recipients: readonly string[];
}

export interface SendContext {
  readonly fetch: typeof globalThis.fetch;
  readonly timeoutMs: number;
  /** Clock for the signatures' timestamps. */
  readonly now: () => Date;
  readonly mailer: Mailer;
}

/** Sends one message to one channel. Resolves when the channel accepted it and throws DeliveryError otherwise. */
export type Sender = (target: ChannelTarget, message: OutgoingMessage, text: MessageText, context: SendContext) => Promise<void>;

/** Tokens are far longer than this, while path words such as `webhook` are shorter and stay readable in errors. */
const MIN_TOKEN_LENGTH = 12;

/** Lists the parts of a robot URL that may work as credentials: the URL itself and every long query value and path segment. */
export function urlSecrets(url: string | null): string[] {
  if (!url) return [];
  try {
    const parsed = new URL(url);
    const parts = [...parsed.searchParams.values(), ...parsed.pathname.split('/')];
    return [url, ...parts.filter((part) => part.length >= MIN_TOKEN_LENGTH)];
  } catch {
    return [url];
  }
}

/** Returns the URL or throws: a robot channel without a URL is a corrupt row, not a user error. */
export function requireUrl(target: ChannelTarget): string {
  if (!target.url) throw new Error(`A ${target.kind} channel has no URL`);
  return target.url;
}
