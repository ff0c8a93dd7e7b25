/**
 * Reads the one-time set-up token from the URL fragment (`#token=…`). The token travels in the
 * fragment because browsers never send it to a server, so it stays out of access logs and
 * Referer headers.
 */
export function readSetupTokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token.trim() === '' ? null : token.trim();
}

/** Removes the fragment from the address bar and history, so the token is not bookmarked or shared. */
export function clearUrlFragment(): void {
  const { pathname, search, hash } = window.location;
  if (hash === '') return;
  window.history.replaceState(window.history.state, '', pathname + search);
}
