// A run of digits (possibly grouped by spaces or dashes, possibly ending in X) with 11 or more
// digits: a resident ID, a bank card or account, or a mainland mobile number. Callers are meant to
// keep such values out of audit details; this is the second line of defence that keeps a mistake
// from writing one into an undeletable log. Shorter runs (dates, counts, amounts) are kept, and so
// are digits inside identifiers such as UUIDs, which a letter or dash joins to the run: a UUID
// whose first groups are all digits (`48683853-5794-4e4b-…`) continues past its last dash.
const DIGIT_RUN = /(?<![0-9A-Za-z-])\d(?:[\d\s-]*\d)?[Xx]?(?![0-9A-Za-z]|-[0-9A-Za-z])/g;
const MIN_SENSITIVE_DIGITS = 11;

export function redactText(text: string): string {
  return text.replace(DIGIT_RUN, (run) => (run.replace(/\D/g, '').length >= MIN_SENSITIVE_DIGITS ? '[redacted]' : run));
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
