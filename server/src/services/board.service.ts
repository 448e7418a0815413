/** Composes the ward board (docs/api.md `BedTile`) from stays, consent, devices, scores and alerts. */
import type { AlertRepository } from '../repositories/alert.repository.ts';
import type { ScoreRepository } from '../repositories/score.repository.ts';
import type { ConsentReadRepository } from '../repositories/stay.repository.ts';
import type { WardRepository } from '../repositories/ward.repository.ts';
import type { Board } from '@attune/protocol/api';
import { bedTileToApi } from '../mappers/board.mapper.ts';
import type { MonitoringService } from './monitoring.service.ts';

const SPARKLINE_MS = 30 * 60 * 1000;

export class BoardService {
  constructor(
    private readonly wards: WardRepository,
    private readonly consent: ConsentReadRepository,
    private readonly scores: ScoreRepository,
    private readonly alerts: AlertRepository,
    private readonly monitoring: MonitoringService,
  ) {}

  async board(wardId: string, now: Date): Promise<Board | null> {
    const ward = await this.wards.find(wardId);
    if (!ward) return null;
    const beds = await this.wards.beds(wardId);
    const stayIds = beds.flatMap((b) => (b.stayId ? [b.stayId] : []));
    const [consents, latest, sparklines, openAlerts, sensitivities] = await Promise.all([
      this.consent.current(stayIds, now),
      this.scores.latest(stayIds),
      this.scores.sparklines(stayIds, new Date(now.getTime() - SPARKLINE_MS)),
      this.alerts.list({ states: ['firing', 'acknowledged'], wardIds: [wardId], order: 'board', limit: 500 }),
      this.alerts.sensitivitiesInForce(now, stayIds),
    ]);
    return {
      ward,
      generatedAt: now.toISOString(),
      beds: beds.map((b) => {
        const consent = b.stayId ? consents.find((c) => c.stayId === b.stayId) : undefined;
        const isMonitored = !!consent && (consent.camera || consent.wearable);
        return bedTileToApi(b, {
          consent,
          latest: isMonitored ? latest.find((l) => l.stayId === b.stayId) : undefined,
          sparkline: isMonitored ? sparklines.filter((s) => s.stayId === b.stayId) : [],
          // Alerts list is ordered by state then priority, so the first match is the one to show.
          openAlert: openAlerts.find((a) => (b.stayId && a.stayId === b.stayId) || (a.stayId === null && a.bedId === b.bedId)),
          sensitivity: b.stayId ? sensitivities.find((s) => s.stayId === b.stayId) : undefined,
          monitoring: b.deviceId ? this.monitoring.forDevice(b.deviceId) : null,
        });
      }),
    };
  }
}
