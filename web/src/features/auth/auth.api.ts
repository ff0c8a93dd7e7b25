import { isApiError, request, type Me } from '../../api/index.js';
import type { SignInChallenge } from './mfa.api.js';

export type LoginResult = { user: Me } | SignInChallenge;

/** Checks the password. A member with a second factor gets a challenge instead of a session. */
export function login(credentials: { username: string; password: string }): Promise<LoginResult> {
  return request('POST', '/api/auth/login', { json: credentials, reportSessionLoss: false });
}

export function logout(): Promise<void> {
  return request('POST', '/api/auth/logout');
}

/** Returns the signed-in member, or `null` when there is no session. */
export async function fetchMe(): Promise<Me | null> {
  try {
    const { user } = await request<{ user: Me }>('GET', '/api/auth/me', { reportSessionLoss: false });
    return user;
  } catch (error) {
    if (isApiError(error) && error.status === 401) return null;
    throw error;
  }
}

export function fetchSetupStatus(): Promise<{ needed: boolean }> {
  return request('GET', '/api/setup/status');
}

export function completeSetup(input: { token: string; username: string; displayName: string; password: string }): Promise<{ user: Me }> {
  return request('POST', '/api/setup', { json: input });
}
