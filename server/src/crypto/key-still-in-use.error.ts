/** Raised by `retire` while a key is still needed; the message gives counts, never key material. */
export class KeyStillInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStillInUseError';
  }
}
