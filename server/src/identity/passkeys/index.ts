export {
  PASSKEY_ERROR_CODES,
  PasskeyError,
  PasskeyService,
  userHandleOf,
  type PasskeyErrorCode,
  type PasskeyServiceOptions,
  type PasskeySummary,
} from './passkey.service.js';
