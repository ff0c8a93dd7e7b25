/**
 * The comparison key of a username: NFKC folds full-width forms (`ａｄｍｉｎ`) into ASCII and
 * lower-casing makes `Admin` the same account as `admin`, so neither sign-in nor lockout can be
 * sidestepped by spelling a name differently.
 */
export function usernameKey(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export function isValidUsername(username: string): boolean {
  return USERNAME_PATTERN.test(usernameKey(username));
}
