/**
 * The consent ledger's rules: the hash chain and "what was in force at time T". Pure functions;
 * the repository stores, this decides.
 */
import { createHash } from 'node:crypto';

/** One entry of a stay's consent ledger as stored (hash-chained, append-only). */
export interface ConsentEventRow {
  id: number;
  stayId: string;
  effectiveAt: Date;
  camera: boolean;
  wearable: boolean;
  actorKind: 'patient' | 'proxy' | 'staff';
  proxyName: string | null;
  proxyRelationship: string | null;
  recordedByUserId: string | null;
  textHash: string | null;
  language: string | null;
  prevHash: string;
  hash: string;
}
export type NewConsentEvent = Omit<ConsentEventRow, 'id'>;

export interface ConsentChoice {
  camera: boolean;
  wearable: boolean;
  actorKind: 'patient' | 'proxy' | 'staff';
  proxyName?: string | null;
  proxyRelationship?: string | null;
  recordedByUserId?: string | null;
  textHash?: string | null;
  language?: string | null;
}

/** JSON with keys sorted at every level, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type HashedFields = Omit<NewConsentEvent, 'prevHash' | 'hash'>;

function hashedContent(e: HashedFields) {
  return {
    stayId: e.stayId,
    effectiveAt: e.effectiveAt.toISOString(),
    camera: e.camera,
    wearable: e.wearable,
    actorKind: e.actorKind,
    proxyName: e.proxyName,
    proxyRelationship: e.proxyRelationship,
    recordedByUserId: e.recordedByUserId,
    textHash: e.textHash,
    language: e.language,
  };
}

export function consentEventHash(prevHash: string, e: HashedFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson(hashedContent(e)))
    .digest('hex');
}

export function buildConsentEvent(stayId: string, choice: ConsentChoice, effectiveAt: Date, prevHash: string): NewConsentEvent {
  const fields: HashedFields = {
    stayId,
    effectiveAt,
    camera: choice.camera,
    wearable: choice.wearable,
    actorKind: choice.actorKind,
    proxyName: choice.proxyName ?? null,
    proxyRelationship: choice.proxyRelationship ?? null,
    recordedByUserId: choice.recordedByUserId ?? null,
    textHash: choice.textHash ?? null,
    language: choice.language ?? null,
  };
  return { ...fields, prevHash, hash: consentEventHash(prevHash, fields) };
}

/** Walks a stay's chain; returns the first event whose hash or link does not match. */
export function verifyConsentChain(events: ConsentEventRow[]): { ok: true } | { ok: false; eventId: number; problem: string } {
  let prev = 'genesis';
  for (const e of events) {
    if (e.prevHash !== prev) return { ok: false, eventId: e.id, problem: 'link to the previous event is broken' };
    if (consentEventHash(prev, e) !== e.hash) return { ok: false, eventId: e.id, problem: 'content does not match its hash' };
    prev = e.hash;
  }
  return { ok: true };
}

export interface ConsentState {
  camera: boolean;
  wearable: boolean;
}

/** The consent in force at `at`: the latest event effective at or before it; none means everything off. */
/**
 * The event in force at `at`. Order-independent: two people recording at once may be stored in the
 * other order than their times. The latest event effective at `at` wins; on equal times, the later-stored one.
 */
export function eventInForce<E extends { effectiveAt: Date }>(events: readonly E[], at: Date): E | null {
  let current: E | null = null;
  for (const e of events) {
    if (e.effectiveAt.getTime() <= at.getTime() && (!current || e.effectiveAt.getTime() >= current.effectiveAt.getTime())) current = e;
  }
  return current;
}

export function consentAt(events: readonly { effectiveAt: Date; camera: boolean; wearable: boolean }[], at: Date): ConsentState | null {
  const current = eventInForce(events, at);
  return current ? { camera: current.camera, wearable: current.wearable } : null;
}
