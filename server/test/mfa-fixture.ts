import { totpCodeAt } from '../src/identity/mfa/totp.js';
import type { TestApp } from './test-app.js';

/** Time-step offsets already used per secret, so each test code is fresh (codes are single use). */
const usedOffsets = new Map<string, number>();

/** Enrols an authenticator app for a member and returns its secret. */
export async function enrolTotp(app: TestApp, userId: string, username: string): Promise<string> {
  const { secret } = await app.totp.startEnrolment(userId, username);
  const confirmed = await app.totp.confirmEnrolment(userId, totpCodeAt(secret, new Date()));
  if (!confirmed) throw new Error('TOTP enrolment failed in the fixture');
  usedOffsets.set(secret, 0);
  return secret;
}

/**
 * Returns a code the server has not accepted yet: the current step was used at enrolment, so
 * codes come from the next step (the window accepts one step of clock skew). A test gets one
 * such code per secret; later ones wait for the next real step.
 */
export async function nextTotpCode(secret: string): Promise<string> {
  const used = usedOffsets.get(secret) ?? -1;
  if (used < 1) {
    usedOffsets.set(secret, 1);
    return totpCodeAt(secret, new Date(Date.now() + 30_000));
  }
  // Both the current and the next step are spent: wait until the step after them begins.
  const stepMs = 30_000;
  const nextStepStart = (Math.floor(Date.now() / stepMs) + 1) * stepMs;
  await new Promise((resolve) => setTimeout(resolve, nextStepStart - Date.now() + 50));
  usedOffsets.set(secret, 1);
  return totpCodeAt(secret, new Date(Date.now() + 30_000));
}
