/**
 * Alert quality per ward and kind for alerts opened in [from, to): alerts per patient-day, counts
 * by outcome, and the time to the first response. Patient-days are the stay time in each ward's
 * beds (stay_bed) that overlaps the period, so a transfer splits a stay between wards. Every ward
 * appears; a ward without alerts has one row with `kind` null.
 *
 * The aggregates (`count(*) filter (...)`, `percentile_cont ... within group`, interval arithmetic)
 * have no query-builder form, so they are written as SQL fragments over the schema's columns.
 */
import { alert, bed, stayBed, ward, type Orm } from '@attune/db';
import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { AlertKind } from '../domain/alert-types.ts';

/** Alert figures for one ward and kind over a period (GET /api/alerts/quality). */
export interface AlertQualityRow {
  wardId: string;
  wardName: string;
  /** Sum of stay time in the ward's beds overlapping the period, days. */
  patientDays: number;
  /** Null on a ward row without any alert in the period. */
  kind: AlertKind | null;
  alerts: number;
  /** Alerts opened per patient-day; null when the ward had no patient time in the period. */
  alertsPerPatientDay: number | null;
  intervened: number;
  comforted: number;
  noActionNeeded: number;
  falseAlarm: number;
  /** Alerts without a recorded outcome (not resolved yet). */
  noneRecorded: number;
  /** Alerts a person responded to (acknowledged, or resolved without an acknowledgement). */
  responded: number;
  /** Seconds from opening to the first response: median and 90th percentile (linear interpolation); null without any. */
  responseMedianS: number | null;
  responseP90S: number | null;
}

export async function alertQuality(orm: Orm, from: Date, to: Date, wardIds: string[]): Promise<AlertQualityRow[]> {
  const start = sql`${from.toISOString()}::timestamptz`;
  const end = sql`${to.toISOString()}::timestamptz`;
  const exposure = orm.$with('exposure').as(
    orm
      .select({
        wardId: bed.wardId,
        patientDays: sql`sum(extract(epoch from (least(coalesce(${stayBed.untilAt}, ${end}), ${end})
                                                - greatest(${stayBed.fromAt}, ${start})))) / 86400.0`.as('patient_days'),
      })
      .from(stayBed)
      .innerJoin(bed, eq(bed.id, stayBed.bedId))
      .where(and(lt(stayBed.fromAt, to), or(isNull(stayBed.untilAt), gt(stayBed.untilAt, from))))
      .groupBy(bed.wardId),
  );
  const withOutcome = (outcome: string) => sql`count(*) filter (where ${alert.outcome} = ${outcome})`;
  const responseS = sql`extract(epoch from (coalesce(${alert.acknowledgedAt}, ${alert.resolvedAt}) - ${alert.openedAt}))`;
  const counts = orm.$with('counts').as(
    orm
      .select({
        wardId: alert.wardId,
        kind: alert.kind,
        alerts: sql`count(*)`.as('alerts'),
        intervened: withOutcome('intervened').as('intervened'),
        comforted: withOutcome('comforted').as('comforted'),
        noActionNeeded: withOutcome('no_action_needed').as('no_action_needed'),
        falseAlarm: withOutcome('false_alarm').as('false_alarm'),
        noneRecorded: sql`count(*) filter (where ${alert.outcome} is null)`.as('none_recorded'),
        responded: sql`count(coalesce(${alert.acknowledgedAt}, ${alert.resolvedAt}))`.as('responded'),
        responseMedianS: sql`percentile_cont(0.5) within group (order by ${responseS})`.as('response_median_s'),
        responseP90S: sql`percentile_cont(0.9) within group (order by ${responseS})`.as('response_p90_s'),
      })
      .from(alert)
      .where(and(gte(alert.openedAt, from), lt(alert.openedAt, to)))
      .groupBy(alert.wardId, alert.kind),
  );
  const int = (value: unknown) => sql`coalesce(${value}, 0)::int`.mapWith(Number);
  return orm
    .with(exposure, counts)
    .select({
      wardId: ward.id,
      wardName: ward.name,
      patientDays: sql`coalesce(${exposure.patientDays}, 0)::float8`.mapWith(Number),
      kind: counts.kind,
      alerts: int(counts.alerts),
      alertsPerPatientDay: sql<number | null>`(${counts.alerts} / nullif(${exposure.patientDays}, 0))::float8`,
      intervened: int(counts.intervened),
      comforted: int(counts.comforted),
      noActionNeeded: int(counts.noActionNeeded),
      falseAlarm: int(counts.falseAlarm),
      noneRecorded: int(counts.noneRecorded),
      responded: int(counts.responded),
      responseMedianS: sql<number | null>`${counts.responseMedianS}::float8`,
      responseP90S: sql<number | null>`${counts.responseP90S}::float8`,
    })
    .from(ward)
    .leftJoin(exposure, eq(exposure.wardId, ward.id))
    .leftJoin(counts, eq(counts.wardId, ward.id))
    .where(inArray(ward.id, wardIds))
    .orderBy(asc(ward.name), asc(ward.id), asc(counts.kind));
}
