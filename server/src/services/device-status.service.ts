/**
 * Device availability: retained status messages (including the Last Will) and accepted scores
 * keep `device.state` current; a watchdog marks silent devices offline and raises the technical
 * alert once a device has been unreachable for the configured time.
 */
import type { DeviceStatus } from '@attune/protocol';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { AlertService } from './alert.service.ts';
import type { LiveEvents } from '../platform/live-events.ts';

/**
 * A device's last-seen and last-score times are written at most this often from its windows (and
 * at most a quarter of DEVICE_OFFLINE_AFTER_S): the offline check counts in tens of seconds, and
 * writing every device's row for every batch took 20-60 ms per 500-window batch, a third of the
 * time of storing it (measured in the ingest benchmark).
 */
const SEEN_WRITE_EVERY_MS = 5000;

/** A device's status as ingest received it, with the device's bed and ward. */
export interface ReceivedStatus {
  status: DeviceStatus;
  receivedAt: Date;
  context: { wardId: string | null; bedId: string | null };
}

export class DeviceStatusService {
  /** When each device's row was last written from its windows (server clock). */
  private readonly seenWrittenAtMs = new Map<string, number>();

  constructor(
    private readonly devices: DeviceRepository,
    private readonly alerts: AlertService,
    private readonly live: LiveEvents,
    private readonly offlineAfterMs: number,
  ) {}

  /**
   * Statuses from enrolled, active devices (ingest has checked), at most one per device, recorded
   * in one transaction. Then call `statusRecorded` for each.
   */
  async recordStatuses(received: ReceivedStatus[]): Promise<void> {
    await this.devices.recordStatuses(
      received.map(({ status, receivedAt }) => ({
        status,
        // An online status means the device was just heard. An offline one (often its Last Will,
        // stamped at connect time) must not move "last seen" forward, so it counts from its own stamp at most.
        seenAt:
          status.state === 'online' ? receivedAt : new Date(Math.min(receivedAt.getTime(), Date.parse(status.at) || receivedAt.getTime())),
        // Stored as received (last_status and the history), with the server's receive time.
        receivedAt,
      })),
    );
  }

  /** After a device's status was recorded: its offline alert clears, and the board hears it. */
  async statusRecorded({ status, receivedAt, context }: ReceivedStatus): Promise<void> {
    // Offline now: the device's next window must mark it online at once.
    if (status.state === 'offline') this.seenWrittenAtMs.delete(status.deviceId);
    if (status.state === 'online') await this.alerts.deviceBack(status.deviceId, receivedAt);
    this.live.publish('device', context.wardId, {
      deviceId: status.deviceId,
      wardId: context.wardId,
      bedId: context.bedId,
      state: status.state,
      lastSeenAt: receivedAt.toISOString(),
      sources: status.sources,
      clockOffsetMs: status.clockOffsetMs,
    });
  }

  async onScoresSeen(seen: { deviceId: string; at: Date }[], now = Date.now()): Promise<void> {
    const everyMs = Math.min(SEEN_WRITE_EVERY_MS, this.offlineAfterMs / 4);
    const due = seen.filter((s) => now - (this.seenWrittenAtMs.get(s.deviceId) ?? -Infinity) >= everyMs);
    await this.devices.markSeen(due);
    for (const s of due) this.seenWrittenAtMs.set(s.deviceId, now);
    for (const s of seen) await this.alerts.deviceBack(s.deviceId, s.at);
  }

  /** Run periodically: silent devices go offline; devices offline for the full period raise an alert. */
  async checkOffline(now: Date): Promise<void> {
    const cutoff = new Date(now.getTime() - this.offlineAfterMs);
    for (const d of await this.devices.markSilentOffline(cutoff)) {
      this.seenWrittenAtMs.delete(d.id);
      const ctx = await this.devices.findContext(d.id);
      this.live.publish('device', ctx?.wardId ?? null, {
        deviceId: d.id,
        wardId: ctx?.wardId ?? null,
        bedId: ctx?.bedId ?? null,
        state: 'offline',
        lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
        sources: null,
        clockOffsetMs: null,
      });
    }
    for (const d of await this.devices.listOfflineSince(cutoff)) {
      if (d.lastSeenAt === null) continue; // never seen: not an outage, an unfinished installation
      await this.alerts.deviceOffline({ deviceId: d.id, bedId: d.bedId, wardId: d.wardId, stayId: null }, d.lastSeenAt, now);
    }
  }
}
