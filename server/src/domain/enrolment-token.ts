/**
 * Agent enrolment tokens: 16 characters of Crockford's base32 (no I, L, O or U, so nothing reads as
 * another character), typed in four groups of four: `7KQ2-M9XD-4HVA-R0PE`. 10 random bytes are
 * exactly 80 bits. A typed token is read leniently (lower case, spaces, missing hyphens, O for 0,
 * I or L for 1), and only sha256 of its canonical form is stored.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TOKEN_CHARS = 16;

export function generateEnrolmentToken(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return groups(out);
}

const groups = (chars: string) => chars.match(/.{4}/g)!.join('-');

/** The canonical `XXXX-XXXX-XXXX-XXXX` of a typed token, or null when it cannot be one. */
export function canonicalEnrolmentToken(typed: string): string | null {
  const chars = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (chars.length !== TOKEN_CHARS || [...chars].some((c) => !ALPHABET.includes(c))) return null;
  return groups(chars);
}

export const enrolmentTokenHash = (canonical: string) => createHash('sha256').update(canonical).digest('hex');

/**
 * A device id from the ward and bed names (`ward-7b-bed-3-agent`), within the protocol's 48
 * characters, with `-2`, `-3`... when taken.
 */
export function deviceIdCandidates(wardName: string, bedLabel: string): (n: number) => string {
  const slug = (s: string, max: number) =>
    s
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max)
      .replace(/-+$/, '');
  const base = [slug(wardName, 18), slug(bedLabel, 16)].filter(Boolean).join('-') || 'bed';
  return (n) => `${base}-agent${n > 1 ? `-${n}` : ''}`;
}
