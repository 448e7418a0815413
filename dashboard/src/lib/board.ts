/** Pure helpers that apply live events to board tiles. */
import type { Alert, AlertSummary, BedTile, Driver } from './api/types';
import { PRIORITY_ORDER } from './format';

const SPARK_WINDOW_MS = 30 * 60_000;

/** Add one score to a per-minute max sparkline and keep the last 30 minutes. */
export function addToSparkline(
  points: { t: string; distress: number }[],
  windowEnd: string,
  distress: number,
  now: number,
): { t: string; distress: number }[] {
  const minute = Math.floor(Date.parse(windowEnd) / 60_000) * 60_000;
  if (!Number.isFinite(minute)) return points;
  const out = points.map((p) => ({ ...p }));
  const same = out.find((p) => Math.floor(Date.parse(p.t) / 60_000) * 60_000 === minute);
  if (same) same.distress = Math.max(same.distress, distress);
  else out.push({ t: new Date(minute).toISOString(), distress });
  return out.filter((p) => Date.parse(p.t) >= now - SPARK_WINDOW_MS - 60_000).sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
}

export function isMonitored(tile: BedTile): boolean {
  return !!tile.stay && !!tile.consent && (tile.consent.camera || tile.consent.wearable);
}

function toSummary(a: Alert): AlertSummary {
  const { id, kind, priority, state, openedAt, firingSince, acknowledgedAt, escalationLevel } = a;
  return { id, kind, priority, state, summary: a.explanation.summary, openedAt, firingSince, acknowledgedAt, escalationLevel };
}

/** Whether an alert belongs on a tile: same stay, or same bed for alerts without a stay. */
export function alertBelongsToTile(a: Alert, tile: BedTile): boolean {
  if (a.stayId) return a.stayId === tile.stay?.id;
  return a.bedId !== null && a.bedId === tile.bedId;
}

/** The highest-priority open alert for a tile among the known open alerts (firing before acknowledged). */
export function pickOpenAlert(alerts: Alert[], tile: BedTile): AlertSummary | null {
  let best: Alert | null = null;
  for (const a of alerts) {
    if (a.state === 'resolved' || !alertBelongsToTile(a, tile)) continue;
    if (
      !best ||
      PRIORITY_ORDER[a.priority] < PRIORITY_ORDER[best.priority] ||
      (a.priority === best.priority && a.state === 'firing' && best.state !== 'firing')
    ) {
      best = a;
    }
  }
  return best ? toSummary(best) : null;
}

/** Insert or replace an alert in an open-alert list; resolved alerts leave it. */
export function upsertOpenAlert(alerts: Alert[], a: Alert): Alert[] {
  const rest = alerts.filter((x) => x.id !== a.id);
  return a.state === 'resolved' ? rest : [a, ...rest];
}

/** A score below this confidence adds no evidence to an alert (the server's distress rule, minConfidence). */
export const LOW_CONFIDENCE = 0.5;

/** A bed whose device has sent no score for this long shows its last score greyed, with its age. */
export const DEVICE_SILENT_MS = 30_000;

/** Quality codes of a score's drivers, in the words a low-confidence score is explained with. */
const QUALITY_WORDS: Partial<Record<Driver['code'], string>> = {
  face_turned_away: 'face turned away',
  face_too_dark: 'too dark to see the face',
  face_unsteady: 'face moving a lot',
  face_baseline_learning: "still learning the patient's face",
  wristband_off: 'wristband off the wrist',
};

/** Why a score is of low confidence, in a few words: its quality drivers first, then a source without signal. */
export function lowConfidenceReason(tile: BedTile): string {
  const fromDrivers = (tile.latest?.drivers ?? []).map((d) => QUALITY_WORDS[d.code]).filter((w): w is string => !!w);
  if (fromDrivers.length > 0) return fromDrivers.join(', ');
  const sources = tile.device?.sources;
  if (tile.consent?.camera && sources && sources.camera !== 'streaming') return 'face not visible';
  if (tile.consent?.wearable && sources && sources.wearable !== 'streaming') return 'no wristband signal';
  if (tile.consent && !tile.consent.camera) return 'wristband only';
  if (tile.consent && !tile.consent.wearable) return 'camera only';
  return 'signals unclear';
}
