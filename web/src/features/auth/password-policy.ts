// The server's password policy decides in the end. This copy of its rules lets the set-up form
// show a weak password at the field before a round trip, so keep the two in step.
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
export const MIN_CHARACTER_CLASSES = 3;

// Upper case, lower case, digits, and everything else counts as a symbol (non-ASCII letters too).
const CHARACTER_CLASSES = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/];

export type PasswordProblem = 'tooShort' | 'tooLong' | 'tooFewClasses';

/** Checks a password against the server's policy and returns the first rule it breaks, if any. */
export function findPasswordProblem(password: string): PasswordProblem | undefined {
  // The server counts code points for the minimum and UTF-16 units for the maximum.
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'tooShort';
  if (password.length > MAX_PASSWORD_LENGTH) return 'tooLong';

  const classes = CHARACTER_CLASSES.filter((pattern) => pattern.test(password)).length;
  return classes < MIN_CHARACTER_CLASSES ? 'tooFewClasses' : undefined;
}
