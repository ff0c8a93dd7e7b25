/**
 * The secrets a scripted day produced, and a search for them that reports where a secret was
 * found by its kind, never by its value, so a failing assertion leaks nothing itself.
 */
export interface KnownSecret {
  readonly kind: string;
  readonly value: string;
}

/** Codes this short (TOTP and SMS codes) also occur by chance inside hex ids and hashes. */
const SHORT_CODE = /^\d{4,8}$/;
const WORD_CHARACTER = /[0-9A-Za-z]/;

export class SecretBook {
  readonly #secrets = new Map<string, KnownSecret>();

  /** Adds a secret under a kind such as 'password' or 'session token', ignoring empty values. */
  add(kind: string, value: string | null | undefined): void {
    if (!value) return;
    if (!this.#secrets.has(value)) this.#secrets.set(value, { kind, value });
  }

  get all(): KnownSecret[] {
    return [...this.#secrets.values()];
  }

  ofKind(kind: string): string[] {
    return this.all.filter((secret) => secret.kind === kind).map((secret) => secret.value);
  }

  /**
   * Returns one line per secret found in the text or bytes, naming the place and the secret's
   * kind. `except` leaves out values the place may legitimately contain.
   */
  findIn(haystack: string | Buffer, place: string, except: ReadonlySet<string> = new Set()): string[] {
    const bytes = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
    const found: string[] = [];
    for (const secret of this.all) {
      if (except.has(secret.value)) continue;
      if (formsOf(secret.value).some((form) => containsForm(bytes, form))) found.push(`${secret.kind} in ${place}`);
    }
    return found;
  }
}

/**
 * Lists the forms a value may be written in: as given, and for identifiers also without separators and
 * in the other letter case (a lower-case x in an ID number, a lower-case base32 secret).
 */
function formsOf(value: string): string[] {
  const forms = new Set([value]);
  if (/^[\d\s+-]+[Xx]?$/.test(value)) forms.add(value.replace(/[\s+-]/g, ''));
  if (/^[A-Z2-7]{16,}$/.test(value) || /^\d{17}[Xx]$/.test(value)) {
    forms.add(value.toLowerCase());
    forms.add(value.toUpperCase());
  }
  return [...forms].filter((form) => form.length >= 4);
}

/**
 * Returns whether the bytes contain the form. A short numeric code counts only where no letter or
 * digit touches it, so a code that happens to occur inside a hex id or a hash is not reported.
 * NOTE: a plaintext code stored right after a hex column in a database page would be missed too.
 * Row values are therefore also checked one by one (see day-storage.ts), each column's value a string of its own.
 */
function containsForm(bytes: Buffer, form: string): boolean {
  const needle = Buffer.from(form, 'utf8');
  if (!SHORT_CODE.test(form)) return bytes.includes(needle);

  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const before = at > 0 ? String.fromCharCode(bytes[at - 1]!) : '';
    const after = at + needle.length < bytes.length ? String.fromCharCode(bytes[at + needle.length]!) : '';
    if (!WORD_CHARACTER.test(before) && !WORD_CHARACTER.test(after)) return true;
  }
  return false;
}
