// Digit runs that look like a resident ID (15 or 18 characters), a bank card (12 to 19 digits)
// or a mainland mobile number. Callers are meant to keep such values out of audit details; this
// is the second line of defence that keeps a mistake from writing one into an undeletable log.
const SENSITIVE_DIGITS = /\d{17}[\dXx]|\d{12,19}|(?<!\d)1[3-9]\d{9}(?!\d)/g;

export function redactText(text: string): string {
  return text.replace(SENSITIVE_DIGITS, '[redacted]');
}

export function redactDetails(value: unknown): unknown {
  if (typeof value === 'string') {
    return redactText(value);
  }
  if (Array.isArray(value)) {
    return value.map(redactDetails);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, redactDetails(member)]));
  }
  return value;
}
