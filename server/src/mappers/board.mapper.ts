/** A bed on the ward board in API shape (docs/api.md `BedTile`, `BedMonitoring`). */
import type { Driver } from '@attune/protocol';
import type { BedMonitoring, BedTile, MonitoringEvent } from '@attune/protocol/api';
import type { StaySensitivity } from '../domain/alert-sensitivity.ts';
import { renderDrivers } from '../domain/driver-words.ts';
import type { AlertRow } from '../repositories/alert.repository.ts';
import type { CurrentConsentRow } from '../repositories/stay.repository.ts';
import type { BedRow } from '../repositories/ward.repository.ts';
import { alertSummaryToApi } from './alert.mapper.ts';
import { sensitivityToApi } from './stay.mapper.ts';
import { isoOrNull } from './time.ts';

/** What the board read about one bed; each part absent when the bed has none. */
export interface BedReadings {
  consent: CurrentConsentRow | undefined;
  /** The latest window, only while the stay is monitored. */
  latest: { windowEnd: Date; distress: number; confidence: number; drivers: Driver[] } | undefined;
  sparkline: { t: Date; distress: number }[];
  openAlert: AlertRow | undefined;
  sensitivity: StaySensitivity | undefined;
  monitoring: MonitoringEvent | null;
}

export function bedTileToApi(b: BedRow, r: BedReadings): BedTile {
  return {
    bedId: b.bedId,
    label: b.label,
    stay: b.stayId ? { id: b.stayId, patientName: b.patientName!, admittedAt: b.admittedAt!.toISOString() } : null,
    /** The alert sensitivity a charge nurse set, while in force; null: standard. */
    alertSensitivity: r.sensitivity ? sensitivityToApi(r.sensitivity) : null,
    consent: r.consent
      ? {
          camera: r.consent.camera,
          wearable: r.consent.wearable,
          byProxy: r.consent.actorKind === 'proxy',
          since: r.consent.effectiveAt.toISOString(),
        }
      : null,
    device: b.deviceId ? { id: b.deviceId, state: b.deviceState!, lastSeenAt: isoOrNull(b.lastSeenAt), sources: b.sources } : null,
    monitoring: monitoringToApi(r.monitoring),
    latest: r.latest
      ? {
          windowEnd: r.latest.windowEnd.toISOString(),
          distress: r.latest.distress,
          confidence: r.latest.confidence,
          drivers: renderDrivers(r.latest.drivers),
        }
      : null,
    sparkline: r.sparkline.map((s) => ({ t: s.t.toISOString(), distress: s.distress })),
    openAlert: r.openAlert ? alertSummaryToApi(r.openAlert) : null,
  };
}

/** What the tile says about monitoring itself: interrupted (with why), lost signals, a device clock that is off. */
function monitoringToApi(m: MonitoringEvent | null): BedMonitoring {
  return {
    state: m?.state ?? 'not_expected',
    reason: m?.reason ?? null,
    signalLost: m?.signalLost.map((s) => ({ source: s.source, state: s.state, forS: s.forS })) ?? [],
    clockOffWarningMs: m?.clockOffWarningMs ?? null,
  };
}
