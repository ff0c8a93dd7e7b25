/** Longest error text kept on a delivery; provider messages past it are cut. */
const MAX_ERROR_LENGTH = 300;

/**
 * A message that a channel did not accept. The text is safe to store and show to the security
 * administrator: it names the provider and its error code, never a URL, token or secret.
 */
export class DeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/**
 * Removes URLs and every known secret value from a text from outside (a provider's error
 * message, a socket error), so it can be stored as a delivery's last error.
 */
export function scrubErrorText(text: string, secrets: readonly (string | null | undefined)[]): string {
  let scrubbed = text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[URL]');
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; real tokens and secrets are far longer.
    if (secret && secret.length >= 6) scrubbed = scrubbed.split(secret).join('***');
  }
  scrubbed = scrubbed.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return scrubbed.length > MAX_ERROR_LENGTH ? `${scrubbed.slice(0, MAX_ERROR_LENGTH - 1)}…` : scrubbed;
}

/** The error text to record for any failure: a DeliveryError's own message, a fixed text otherwise. */
export function deliveryErrorText(error: unknown, secrets: readonly (string | null | undefined)[]): string {
  if (error instanceof DeliveryError) return scrubErrorText(error.message, secrets);
  return 'unexpected error while sending';
}
