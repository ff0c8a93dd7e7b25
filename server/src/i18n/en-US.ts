import type { Messages } from './locale.js';

export const enUS: Messages = {
  errors: {
    validation_failed: 'The input is invalid. Check the marked fields.',
    unauthenticated: 'Please sign in first.',
    forbidden: 'You are not permitted to do this.',
    not_found: 'The record was not found, or you may not access it.',
    csrf_invalid: 'The page security token has expired. Reload the page and try again.',
    invalid_credentials: 'Wrong username or password.',
    account_locked: 'The account is locked for a while after repeated failed sign-ins. Try again later or ask the system administrator.',
    rate_limited: 'Too many requests. Try again later.',
    reason_required: 'A reason of at least {min} characters is required to reveal sensitive data.',
    field_not_revealable: 'This field cannot be shown in plain text.',
    setup_not_needed: 'The system is already set up.',
    setup_token_invalid: 'The set-up link is invalid or has expired. Run npx ledgerguard init for a new one.',
    password_too_weak: 'The password is too weak: at least {min} characters from at least three of upper case, lower case, digits and symbols.',
    username_taken: 'This username is already taken.',
    import_file_missing: 'Upload a client roster as an .xlsx or .csv file.',
    import_file_too_large: 'The file is too large; the maximum is {maxMb} MB.',
    roster_file_unsupported: 'Unsupported file type. Upload an .xlsx or .csv file.',
    roster_file_unreadable: 'The file could not be read. Check that it is an intact Excel or CSV file.',
    roster_file_empty: 'The file holds no data.',
    roster_header_not_found: 'No header row found: it needs at least the company name and the unified social credit code columns.',
    import_failed: 'The import failed; no client was written.',
    internal_error: 'Internal server error. Try again later.',
  },
  text: {
    'setup.link': 'First start: within 24 hours, open this link to create the first system administrator:',
  },
};
