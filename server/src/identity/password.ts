import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, two passes, one lane); about 45 ms per hash on a 2-core
// server, slow enough for guessing and fast enough for sign-in.
// Algorithm 2 is argon2id in @node-rs/argon2's const enum, which isolated modules cannot import.
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same argon2 work as a real check, for usernames that do not exist, so response
 * time does not tell which accounts exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('ledgerguard-timing-equalizer');
  await verifyPassword(await dummyHash, password);
  return false;
}

/** At least 12 characters from at least three of: upper case, lower case, digits, symbols. */
export function isStrongEnough(password: string): boolean {
  if ([...password].length < MIN_PASSWORD_LENGTH || password.length > 256) {
    return false;
  }
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(password)).length;
  return classes >= 3;
}
