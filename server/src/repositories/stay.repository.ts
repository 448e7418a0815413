import type { Database } from '@attune/db';
import type { ConsentEventRow, NewConsentEvent } from '../domain/consent-ledger.ts';

export interface StayRow {
  id: string;
  patientName: string;
  externalId: string | null;
  bedId: string;
  bedLabel: string;
  wardId: string;
  admittedAt: Date;
  dischargedAt: Date | null;
  dataErasedAt: Date | null;
}

export interface BedAssignmentRow {
  stayId: string;
  fromAt: Date;
  untilAt: Date | null;
  dataErasedAt: Date | null;
}

/** PostgreSQL unique_violation (both drivers expose the SQLSTATE as `code`). */
export const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

const CONSENT_COLUMNS = `id::float8 as id, stay_id as "stayId", effective_at as "effectiveAt", camera, wearable, actor_kind as "actorKind",
  proxy_name as "proxyName", proxy_relationship as "proxyRelationship", recorded_by_user_id as "recordedByUserId",
  text_hash as "textHash", language, prev_hash as "prevHash", hash`;

export class StayRepository {
  constructor(private readonly db: Database) {}

  async admit(patient: { displayName: string; externalId?: string | null }, bedId: string, admittedAt: Date): Promise<string> {
    return this.db.transaction(async (q) => {
      const [p] = await q<{ id: string }>(`insert into patient (display_name, external_id) values ($1, $2) returning id`, [
        patient.displayName,
        patient.externalId ?? null,
      ]);
      const [s] = await q<{ id: string }>(`insert into stay (patient_id, bed_id, admitted_at) values ($1, $2, $3) returning id`, [
        p!.id,
        bedId,
        admittedAt.toISOString(),
      ]);
      await q(`insert into stay_bed (stay_id, bed_id, from_at) values ($1, $2, $3)`, [s!.id, bedId, admittedAt.toISOString()]);
      return s!.id;
    });
  }

  async find(stayId: string): Promise<StayRow | null> {
    const [row] = await this.db.query<StayRow>(
      `select s.id, p.display_name as "patientName", p.external_id as "externalId", b.id as "bedId", b.label as "bedLabel",
              b.ward_id as "wardId", s.admitted_at as "admittedAt", s.discharged_at as "dischargedAt", s.data_erased_at as "dataErasedAt"
         from stay s join patient p on p.id = s.patient_id join bed b on b.id = s.bed_id where s.id = $1`,
      [stayId],
    );
    return row ?? null;
  }

  async findBed(bedId: string): Promise<{ id: string; label: string; wardId: string } | null> {
    const [row] = await this.db.query<{ id: string; label: string; wardId: string }>(
      `select id, label, ward_id as "wardId" from bed where id = $1`,
      [bedId],
    );
    return row ?? null;
  }

  /**
   * Moves an active stay to another bed at `at`: closes its current bed assignment, opens one on
   * the new bed, and moves its open alerts along. Throws a unique violation if the bed is taken.
   */
  async transfer(stayId: string, toBedId: string, at: Date): Promise<void> {
    await this.db.transaction(async (q) => {
      await q(`select id from stay where id = $1 for update`, [stayId]);
      await q(`update stay set bed_id = $2 where id = $1 and discharged_at is null`, [stayId, toBedId]);
      await q(`update stay_bed set until_at = $2 where stay_id = $1 and until_at is null`, [stayId, at.toISOString()]);
      await q(`insert into stay_bed (stay_id, bed_id, from_at) values ($1, $2, $3)`, [stayId, toBedId, at.toISOString()]);
      await q(`update alert set bed_id = $2 where stay_id = $1 and state <> 'resolved'`, [stayId, toBedId]);
    });
  }

  /** Ends a stay at `at`: closes its bed assignment, ends its tablet sessions and revokes unused pairing codes. */
  async discharge(stayId: string, at: Date): Promise<boolean> {
    return this.db.transaction(async (q) => {
      const done = await q(`update stay set discharged_at = $2 where id = $1 and discharged_at is null returning id`, [
        stayId,
        at.toISOString(),
      ]);
      if (done.length === 0) return false;
      await q(`update stay_bed set until_at = $2 where stay_id = $1 and until_at is null`, [stayId, at.toISOString()]);
      await q(`delete from tablet_session where stay_id = $1`, [stayId]);
      await q(`update tablet_pairing set used_at = $2 where stay_id = $1 and used_at is null`, [stayId, at.toISOString()]);
      return true;
    });
  }

  /** Every assignment to this bed of a stay that is still active (ingest's bed history). */
  async activeAssignmentsForBed(bedId: string): Promise<BedAssignmentRow[]> {
    return this.db.query<BedAssignmentRow>(
      `select sb.stay_id as "stayId", sb.from_at as "fromAt", sb.until_at as "untilAt", s.data_erased_at as "dataErasedAt"
         from stay_bed sb join stay s on s.id = sb.stay_id
        where sb.bed_id = $1 and s.discharged_at is null order by sb.from_at`,
      [bedId],
    );
  }

  /** Stays that have a consent ledger, oldest first (for verifying every chain). */
  async stayIdsWithConsent(): Promise<string[]> {
    const rows = await this.db.query<{ stayId: string }>(`select stay_id as "stayId" from consent_event group by stay_id order by min(id)`);
    return rows.map((r) => r.stayId);
  }

  async activeStayForBed(bedId: string): Promise<{ id: string; admittedAt: Date; dischargedAt: Date | null } | null> {
    const [row] = await this.db.query<{ id: string; admittedAt: Date; dischargedAt: Date | null }>(
      `select id, admitted_at as "admittedAt", discharged_at as "dischargedAt" from stay where bed_id = $1 and discharged_at is null`,
      [bedId],
    );
    return row ?? null;
  }

  async consentEvents(stayId: string): Promise<ConsentEventRow[]> {
    return this.db.query<ConsentEventRow>(`select ${CONSENT_COLUMNS} from consent_event where stay_id = $1 order by id`, [stayId]);
  }

  /**
   * Appends a consent event; `build` receives the previous hash under a row lock on the stay,
   * so concurrent writers cannot fork the chain.
   */
  async appendConsent(stayId: string, build: (prevHash: string) => NewConsentEvent): Promise<ConsentEventRow> {
    return this.db.transaction(async (q) => {
      await q(`select id from stay where id = $1 for update`, [stayId]);
      const [last] = await q<{ hash: string }>(`select hash from consent_event where stay_id = $1 order by id desc limit 1`, [stayId]);
      const e = build(last?.hash ?? 'genesis');
      const [row] = await q<ConsentEventRow>(
        `insert into consent_event (stay_id, effective_at, camera, wearable, actor_kind, proxy_name, proxy_relationship,
                                    recorded_by_user_id, text_hash, language, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${CONSENT_COLUMNS}`,
        [
          e.stayId,
          e.effectiveAt.toISOString(),
          e.camera,
          e.wearable,
          e.actorKind,
          e.proxyName,
          e.proxyRelationship,
          e.recordedByUserId,
          e.textHash,
          e.language,
          e.prevHash,
          e.hash,
        ],
      );
      return row!;
    });
  }
}

export interface CurrentConsentRow {
  stayId: string;
  camera: boolean;
  wearable: boolean;
  actorKind: 'patient' | 'proxy' | 'staff';
  effectiveAt: Date;
}

export class ConsentReadRepository {
  constructor(private readonly db: Database) {}

  /** The consent in force now for each stay (stays without any event are absent). */
  async current(stayIds: string[], now: Date): Promise<CurrentConsentRow[]> {
    if (stayIds.length === 0) return [];
    return this.db.query<CurrentConsentRow>(
      `select distinct on (stay_id) stay_id as "stayId", camera, wearable, actor_kind as "actorKind", effective_at as "effectiveAt"
         from consent_event where stay_id = any($1::uuid[]) and effective_at <= $2 order by stay_id, effective_at desc, id desc`,
      [stayIds, now.toISOString()],
    );
  }
}
