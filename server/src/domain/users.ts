/** Staff roles and the rules on usernames, wards and one-time passwords: vocabulary every layer shares. */
import { randomInt } from 'node:crypto';

export const ROLES = ['nurse', 'charge_nurse', 'it_admin'] as const;
export type Role = (typeof ROLES)[number];
/** The clinical roles: they see patients, and only on their own wards. */
export const CLINICAL_ROLES = ['nurse', 'charge_nurse'] as const satisfies readonly Role[];

/**
 * Usernames an administrator gives: lower-case letters, digits, '.', '_' and '-', 2 to 63
 * characters, starting with a letter or digit (safe in logs, URLs and directory mappings).
 */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,62}$/;
export const normaliseUsername = (username: string) => username.trim().toLowerCase();

/**
 * Role and wards must agree: a nurse or charge nurse works on at least one ward (else they would
 * see nothing), an IT admin on none (their fleet view is hospital-wide and carries no patient data).
 * Returns the problem in words, or null.
 */
export function wardRuleProblem(role: Role, wardIds: readonly string[]): string | null {
  if (role === 'it_admin' && wardIds.length > 0) return 'An IT admin works on no ward: their device view is hospital-wide';
  if (role !== 'it_admin' && wardIds.length === 0) return 'A nurse or charge nurse needs at least one ward';
  return null;
}

// No 0/o, 1/l/i: read aloud or copied from a screen without mistakes.
const ONE_TIME_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * A password an administrator hands over once (new user, reset): 16 random characters from 31
 * (about 79 bits) in groups of four, e.g. `k7mq-x3vp-9hwd-t2ne`. The user must replace it at sign-in.
 */
export function generateOneTimePassword(): string {
  const chars = Array.from({ length: 16 }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]!);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
