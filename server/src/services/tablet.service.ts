/**
 * The bedside tablet: paired to a bed by a short-lived single-use code, it then holds a session
 * scoped to that bed's stay (it follows the patient on transfer; discharge ends it). Through it the
 * patient or their legal representative reads the consent text, chooses per modality, confirms by
 * typing their name, stops with one tap, and may then also erase what was recorded.
 */
import { createHash, randomInt } from 'node:crypto';
import type { ConsentLanguage, ConsentText } from '../consent-texts/index.ts';
import { CONSENT_LANGUAGES } from '../consent-texts/index.ts';
import type { ConsentTexts, TabletState, TabletStopResult } from '@attune/protocol/api';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { DataLifecycleRepository, ErasureCounts } from '../repositories/data-lifecycle.repository.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';
import type { TabletRepository } from '../repositories/tablet.repository.ts';
import { randomSecret } from '../security/passwords.ts';
import { DomainError } from '../domain/errors.ts';
import type { AlertService } from './alert.service.ts';
import type { Explanation } from '../domain/alert-types.ts';
import type { ConsentService } from './consent.service.ts';
import { currentConsentToApi } from '../mappers/stay.mapper.ts';
import { eventInForce } from '../domain/consent-ledger.ts';

export const PAIRING_TTL_MS = 10 * 60_000;

export interface TabletConsentInput {
  camera: boolean;
  wearable: boolean;
  actor: 'patient' | 'proxy';
  proxyName?: string | undefined;
  proxyRelationship?: string | undefined;
  typedName: string;
  language: ConsentLanguage;
  textHash: string;
}

/** A tablet session as the HTTP edge knows it: the stay, and sha256 of its token. */
export interface TabletSessionRef {
  stayId: string;
  tokenHash: string;
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/** Case-, space- and Unicode-form-insensitive comparison of a typed name with the one on record. */
export function sameName(typed: string, expected: string): boolean {
  const norm = (s: string) => s.normalize('NFC').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
  return norm(typed).length > 0 && norm(typed) === norm(expected);
}

const ERASED_EXPLANATION: Explanation = {
  summary: "Details erased at the patient's request",
  evidence: [],
  painad: [],
  unobserved: [],
  models: {},
};

export class TabletService {
  constructor(
    private readonly deps: {
      tablets: TabletRepository;
      stays: StayRepository;
      consent: ConsentService;
      lifecycle: DataLifecycleRepository;
      alerts: AlertService;
      /** Writes ingest's pending batch, so an erasure cannot race windows still in memory. */
      ingest: { drain(): Promise<void> };
      contexts: { invalidateAll(): void };
      audit: AuditRepository;
      texts: Record<ConsentLanguage, ConsentText>;
    },
  ) {}

  /** Keeps every served text version by hash (called at start). */
  async saveTexts(): Promise<void> {
    for (const { hash, ...body } of Object.values(this.deps.texts)) {
      await this.deps.tablets.saveConsentText({ hash, language: body.language, version: body.version, body });
    }
  }

  text(language: string): ConsentTexts {
    // Own properties only: a language named `__proto__` or `constructor` is not a consent text.
    if (!Object.hasOwn(this.deps.texts, language)) throw new DomainError('not_found', 'No consent text in that language');
    return this.deps.texts[language as ConsentLanguage];
  }

  /** The ward a bed is on, or null for no such bed (the edge answers both alike for other wards). */
  async wardOfBed(bedId: string): Promise<string | null> {
    return (await this.deps.stays.findBed(bedId))?.wardId ?? null;
  }

  /**
   * A 6-digit single-use code for the bed's current stay, valid for 10 minutes. It pairs only a
   * tablet that names the bed's ward too (docs/tablet-pairing.md).
   */
  async createPairing(bedId: string, userId: string, now: Date): Promise<{ code: string; wardId: string; expiresAt: Date }> {
    const bed = await this.deps.stays.findBed(bedId);
    if (!bed) throw new DomainError('not_found', 'No such bed');
    const stay = await this.deps.stays.activeStayForBed(bedId);
    if (!stay) throw new DomainError('conflict', 'This bed has no patient: admit one before pairing a tablet');
    let code: string;
    do code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    while (await this.deps.tablets.isCodeLive(sha256Hex(code), now));
    const expiresAt = new Date(now.getTime() + PAIRING_TTL_MS);
    await this.deps.tablets.createPairing({
      codeHash: sha256Hex(code),
      bedId,
      stayId: stay.id,
      createdByUserId: userId,
      at: now,
      expiresAt,
    });
    await this.deps.audit.write({
      actorUserId: userId,
      action: 'tablet.pairing.create',
      subjectType: 'stay',
      subjectId: stay.id,
      detail: { bedId, wardId: bed.wardId, expiresAt: expiresAt.toISOString() },
    });
    return { code, wardId: bed.wardId, expiresAt };
  }

  /** The wards a tablet can be on, by name. Ward names are not patient data: the list is public. */
  async wards(): Promise<{ id: string; name: string }[]> {
    return this.deps.tablets.wards();
  }

  /**
   * The canonical id of the ward `wardId` names, or null. Limits are counted by this id, so other
   * spellings of a ward's id (upper case) share its budget; a ward that does not exist is answered
   * like a wrong code and never counted per ward.
   */
  async canonicalWardId(wardId: string): Promise<string | null> {
    return this.deps.tablets.canonicalWardId(wardId);
  }

  /**
   * Exchanges a live code shown on `wardId` for a tablet session token (returned once; only its
   * hash is stored). `wardId` null: the tablet named no existing ward, which fails like a wrong code.
   */
  async pair(wardId: string | null, code: string, now: Date): Promise<{ token: string; state: TabletState }> {
    const pairing = wardId ? await this.deps.tablets.usePairing(sha256Hex(code), wardId, now) : null;
    const stay = pairing ? await this.deps.stays.find(pairing.stayId) : null;
    if (!pairing || !stay || stay.dischargedAt || stay.bedId !== pairing.bedId) {
      await this.deps.audit.write({
        actorUserId: null,
        action: 'tablet.pair_failed',
        subjectType: 'tablet',
        subjectId: null,
        detail: { wardId },
      });
      throw new DomainError('validation_failed', 'This code is wrong, used or expired', { code: 'wrong, used or expired' });
    }
    const token = randomSecret(32);
    const tokenHash = sha256Hex(token);
    await this.deps.tablets.createSession(tokenHash, stay.id, pairing.id);
    await this.audit({ stayId: stay.id, tokenHash }, 'tablet.pair', { bedId: stay.bedId });
    return { token, state: await this.state(stay.id, now) };
  }

  /** Pairing on a ward paused after too many wrong codes: audited once per pause. */
  async recordPairingPaused(wardId: string, pausedUntil: Date, failedCodes: number): Promise<void> {
    await this.deps.audit.write({
      actorUserId: null,
      action: 'tablet.pair_paused',
      subjectType: 'ward',
      subjectId: wardId,
      detail: { pausedUntil: pausedUntil.toISOString(), failedCodes },
    });
  }

  /** The session behind a cookie token, or null (unknown, unpaired, or its stay discharged). */
  async session(token: string): Promise<TabletSessionRef | null> {
    const tokenHash = sha256Hex(token);
    const row = await this.deps.tablets.findSession(tokenHash);
    return row ? { stayId: row.stayId, tokenHash } : null;
  }

  async state(stayId: string, now: Date): Promise<TabletState> {
    const stay = await this.deps.stays.find(stayId);
    if (!stay || stay.dischargedAt) throw new DomainError('not_found', 'No such stay');
    return {
      stayId,
      bedLabel: stay.bedLabel,
      patientName: stay.patientName,
      consent: currentConsentToApi(await this.deps.stays.consentEvents(stayId), now),
      languages: [...CONSENT_LANGUAGES],
    };
  }

  async readState(session: TabletSessionRef, now: Date): Promise<TabletState> {
    const state = await this.state(session.stayId, now);
    await this.audit(session, 'tablet.state.read');
    return state;
  }

  /**
   * Records the patient's (or their representative's) choice: the typed name must match the
   * patient's name (or the representative's), and the text hash must be the current text of the
   * chosen language, so the ledger says exactly which words were agreed to.
   */
  async recordConsent(session: TabletSessionRef, input: TabletConsentInput, now: Date): Promise<TabletState> {
    const stay = await this.deps.stays.find(session.stayId);
    if (!stay || stay.dischargedAt) throw new DomainError('not_found', 'No such stay');
    const text = this.deps.texts[input.language];
    if (!text || text.hash !== input.textHash) {
      throw new DomainError('validation_failed', 'The consent text has changed; reload it', {
        textHash: 'not the current text of this language',
      });
    }
    const expected = input.actor === 'proxy' ? input.proxyName! : stay.patientName;
    if (!sameName(input.typedName, expected)) {
      throw new DomainError('validation_failed', 'The typed name does not match', {
        typedName: input.actor === 'proxy' ? "does not match the representative's name" : "does not match the patient's name",
      });
    }
    await this.deps.consent.record(
      stay.id,
      {
        camera: input.camera,
        wearable: input.wearable,
        actorKind: input.actor,
        proxyName: input.actor === 'proxy' ? input.proxyName!.trim() : null,
        proxyRelationship: input.actor === 'proxy' ? input.proxyRelationship!.trim() : null,
        textHash: input.textHash,
        language: input.language,
      },
      now,
      'tablet',
    );
    await this.audit(session, 'tablet.consent', { camera: input.camera, wearable: input.wearable, actor: input.actor });
    return this.state(stay.id, now);
  }

  /**
   * Stops everything at once (one tap on the tablet). The withdrawal is attributed to whoever gave
   * the consent in force (patient or representative); when nothing is on any more (an earlier stop)
   * none is recorded again, so the ledger holds one withdrawal per stop. With `alsoDelete` (the
   * tablet offers it after stopping, as a choice of its own) the stay's score windows and its
   * alerts' evidence are erased, and windows measured until now are refused if an agent replays them.
   */
  async stop(session: TabletSessionRef, alsoDelete: boolean, now: Date): Promise<TabletStopResult> {
    const events = await this.deps.stays.consentEvents(session.stayId);
    const inForce = eventInForce(events, now);
    const withdraw = !inForce || inForce.camera || inForce.wearable;
    if (withdraw) {
      const last = events.at(-1);
      const byProxy = last?.actorKind === 'proxy';
      await this.deps.consent.record(
        session.stayId,
        {
          camera: false,
          wearable: false,
          actorKind: byProxy ? 'proxy' : 'patient',
          proxyName: byProxy ? last.proxyName : null,
          proxyRelationship: byProxy ? last.proxyRelationship : null,
        },
        now,
        'tablet',
      );
    }
    let deleted: ErasureCounts = { scoreWindows: 0, alerts: 0 };
    if (alsoDelete) {
      // Order matters: mark the stay erased and drop ingest's cached view of it, so no later
      // message is accepted; write what was accepted before; then delete all of it.
      await this.deps.lifecycle.markErased(session.stayId, now);
      this.deps.contexts.invalidateAll();
      await this.deps.ingest.drain();
      deleted = await this.deps.lifecycle.eraseStay(session.stayId, ERASED_EXPLANATION as unknown as Record<string, unknown>);
      this.deps.alerts.forgetStay(session.stayId);
    }
    const action = !alsoDelete ? 'tablet.stop' : withdraw ? 'tablet.stop_and_erase' : 'tablet.erase';
    await this.audit(session, action, alsoDelete ? { ...deleted } : {});
    return { tablet: await this.state(session.stayId, now), deleted };
  }

  async unpair(session: TabletSessionRef): Promise<void> {
    await this.deps.tablets.deleteSession(session.tokenHash);
    await this.audit(session, 'tablet.unpair');
  }

  /** Tablet actions are audited with the stay as subject and a short prefix of the session hash as "who". */
  private async audit(session: TabletSessionRef, action: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.deps.audit.write({
      actorUserId: null,
      action,
      subjectType: 'stay',
      subjectId: session.stayId,
      detail: { via: 'tablet', tablet: session.tokenHash.slice(0, 12), ...detail },
    });
  }
}
