import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens bound to the session (or, before sign-in, to a pre-session cookie): an HMAC of
 * that secret under a server key. A page on another origin can make the browser send the
 * cookie, but cannot read this token, so it cannot forge the header.
 */
export class CsrfTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  issue(binding: string): string {
    return createHmac('sha256', this.#key).update(binding, 'utf8').digest('base64url');
  }

  isValid(binding: string, presented: string | undefined): boolean {
    if (!presented || presented.length > 128) {
      return false;
    }
    const expected = Buffer.from(this.issue(binding));
    const actual = Buffer.from(presented);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
