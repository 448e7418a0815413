/**
 * The consent texts the bedside tablet shows. Each text is identified by the sha256 of its
 * canonical JSON: the ledger records that hash with every consent, so what the person read can be
 * shown word for word later (the server also keeps every served version in `consent_text`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/consent-ledger.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import type { ConsentLanguage, ConsentTextBody } from './types.ts';

export type { ConsentLanguage, ConsentTextBody } from './types.ts';
export const CONSENT_LANGUAGES: readonly ConsentLanguage[] = ['en', 'es'];

export type ConsentText = ConsentTextBody & { hash: string };

export function consentTextHash(body: ConsentTextBody): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** The current texts in every language; their wording depends on the configured retention period. */
export function buildConsentTexts(retentionDays: number): Record<ConsentLanguage, ConsentText> {
  const bodies: Record<ConsentLanguage, ConsentTextBody> = { en: en(retentionDays), es: es(retentionDays) };
  return Object.fromEntries(CONSENT_LANGUAGES.map((l) => [l, { ...bodies[l], hash: consentTextHash(bodies[l]) }])) as Record<
    ConsentLanguage,
    ConsentText
  >;
}
