/** Composes the ward board (docs/api.md `BedTile`) from stays, consent, devices, scores and alerts. */
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { ConsentReadRepository } from '../repositories/stay.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import { alertToApi } from './alert.service.ts';
import { renderDrivers } from '../domain/driver-words.ts';
import type { MonitoringService } from './monitoring.service.ts';
import { sensitivityView } from './stay.service.ts';

const SPARKLINE_MS = 30 * 60 * 1000;

export class BoardService {
  constructor(
    private readonly wards: WardRepository,
    private readonly consent: ConsentReadRepository,
    private readonly scores: ScoreRepository,
    private readonly alerts: AlertRepository,
    private readonly monitoring: MonitoringService,
  ) {}

  async board(wardId: string, now: Date) {
    const ward = await this.wards.find(wardId);
    if (!ward) return null;
    const beds = await this.wards.beds(wardId);
    const stayIds = beds.flatMap((b) => (b.stayId ? [b.stayId] : []));
    const [consents, latest, sparklines, openAlerts, sensitivities] = await Promise.all([
      this.consent.current(stayIds, now),
      this.scores.latest(stayIds),
      this.scores.sparklines(stayIds, new Date(now.getTime() - SPARKLINE_MS)),
      this.alerts.list({ states: ['firing', 'acknowledged'], wardIds: [wardId], limit: 500 }),
      this.alerts.sensitivitiesInForce(now, stayIds),
    ]);
    return {
      ward,
      generatedAt: now.toISOString(),
      beds: beds.map((b) => {
        const consent = b.stayId ? consents.find((c) => c.stayId === b.stayId) : undefined;
        const isMonitored = !!consent && (consent.camera || consent.wearable);
        const last = isMonitored ? latest.find((l) => l.stayId === b.stayId) : undefined;
        // Alerts list is ordered by state then priority, so the first match is the one to show.
        const alert = openAlerts.find((a) => (b.stayId && a.stayId === b.stayId) || (a.stayId === null && a.bedId === b.bedId));
        const sensitivity = b.stayId ? sensitivities.find((s) => s.stayId === b.stayId) : undefined;
        return {
          bedId: b.bedId,
          label: b.label,
          stay: b.stayId ? { id: b.stayId, patientName: b.patientName!, admittedAt: b.admittedAt!.toISOString() } : null,
          /** The alert sensitivity a charge nurse set, while in force; null: standard. */
          alertSensitivity: sensitivity ? sensitivityView(sensitivity) : null,
          consent: consent
            ? {
                camera: consent.camera,
                wearable: consent.wearable,
                byProxy: consent.actorKind === 'proxy',
                since: consent.effectiveAt.toISOString(),
              }
            : null,
          device: b.deviceId
            ? { id: b.deviceId, state: b.deviceState!, lastSeenAt: b.lastSeenAt?.toISOString() ?? null, sources: b.sources }
            : null,
          monitoring: monitoringOf(b.deviceId ? this.monitoring.forDevice(b.deviceId) : null),
          latest: last
            ? {
                windowEnd: last.windowEnd.toISOString(),
                distress: last.distress,
                confidence: last.confidence,
                drivers: renderDrivers(last.drivers),
              }
            : null,
          sparkline: isMonitored
            ? sparklines.filter((s) => s.stayId === b.stayId).map((s) => ({ t: s.t.toISOString(), distress: s.distress }))
            : [],
          openAlert: alert
            ? {
                id: alert.id,
                kind: alert.kind,
                priority: alert.priority,
                state: alert.state,
                summary: alertToApi(alert).explanation.summary,
                openedAt: alert.openedAt.toISOString(),
              }
            : null,
        };
      }),
    };
  }
}

/** What the tile says about monitoring itself: interrupted (with why), lost signals, a device clock that is off. */
function monitoringOf(m: ReturnType<MonitoringService['forDevice']>) {
  return {
    state: m?.state ?? 'not_expected',
    reason: m?.reason ?? null,
    signalLost: m?.signalLost.map((s) => ({ source: s.source, state: s.state, forS: s.forS })) ?? [],
    clockOffWarningMs: m?.clockOffWarningMs ?? null,
  };
}
