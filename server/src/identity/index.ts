export { FAILURES_BEFORE_LOCK } from './sign-in-throttle.js';
export { AuthService, type ActiveSession, type RequestOrigin, type SessionPolicy, type SignedIn } from './auth.service.js';
export { CsrfTokens } from './csrf.js';
export { hashPassword, isStrongEnough, MIN_PASSWORD_LENGTH } from './password.js';
export { findDepartmentName, findRoleKeys, findUserById, insertUser, type NewUser, type UserRecord } from './user.repository.js';
export { usernameKey, isValidUsername } from './username.js';
