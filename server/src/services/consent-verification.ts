/** Walks consent ledgers: one stay (the API) or every stay (`npm run consent:verify`). */
import type { StayRepository } from '../repositories/stay.repository.ts';
import { verifyConsentChain } from '../domain/consent-ledger.ts';

export type ChainVerdict =
  { stayId: string; ok: true; events: number } | { stayId: string; ok: false; events: number; brokenEventId: string; problem: string };

export async function verifyStayChain(stays: Pick<StayRepository, 'consentEvents'>, stayId: string): Promise<ChainVerdict> {
  const events = await stays.consentEvents(stayId);
  const result = verifyConsentChain(events);
  return result.ok
    ? { stayId, ok: true, events: events.length }
    : { stayId, ok: false, events: events.length, brokenEventId: String(result.eventId), problem: result.problem };
}

export async function verifyAllChains(stays: Pick<StayRepository, 'consentEvents' | 'stayIdsWithConsent'>): Promise<ChainVerdict[]> {
  const verdicts: ChainVerdict[] = [];
  for (const stayId of await stays.stayIdsWithConsent()) verdicts.push(await verifyStayChain(stays, stayId));
  return verdicts;
}
