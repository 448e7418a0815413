/**
 * What ingest needs to know about a device to accept a window: is it enrolled and active, which
 * bed and ward, which active stays occupied that bed and when (bed history: a stay transferred
 * away keeps its earlier assignment here), and each stay's consent history. Loaded once and
 * cached, because ingest checks it for every message; every change of stay or consent goes
 * through the server, which invalidates the entry.
 */
import type { ClusterBus } from '../platform/cluster-bus.ts';
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';

export interface DeviceIngestContext {
  deviceId: string;
  isActive: boolean;
  bedId: string | null;
  wardId: string | null;
  /** Assignments of active (not discharged) stays to this bed; a stay may appear more than once. */
  stays: {
    id: string;
    fromAt: Date;
    untilAt: Date | null;
    dataErasedAt: Date | null;
    /** Sorted by effectiveAt. */
    consent: { effectiveAt: Date; camera: boolean; wearable: boolean }[];
  }[];
}

/** The stay whose assignment to the device's bed covers the whole window, if any. */
export function stayInBedDuring(context: DeviceIngestContext, windowStart: Date, windowEnd: Date) {
  return (
    context.stays.find(
      (s) => s.fromAt.getTime() <= windowStart.getTime() && (s.untilAt === null || windowEnd.getTime() <= s.untilAt.getTime()),
    ) ?? null
  );
}

/** Several instances: how long a cached entry is trusted without a change message (a backstop, not the mechanism). */
const SHARED_ENTRY_MAX_AGE_MS = 30_000;

export class DeviceContextCache {
  private readonly entries = new Map<string, { context: Promise<DeviceIngestContext | null>; loadedAtMs: number }>();
  private bus: ClusterBus | null = null;

  constructor(
    private readonly devices: DeviceRepository,
    private readonly stays: StayRepository,
  ) {}

  /**
   * Several instances: a change made through any instance drops every instance's entries, and
   * while the instances cannot hear each other nothing is cached (consent must never be stale).
   */
  shareThrough(bus: ClusterBus): void {
    this.bus = bus;
    bus.on('device_contexts_changed', () => this.entries.clear());
    bus.onRecovered(() => this.entries.clear());
  }

  get(deviceId: string): Promise<DeviceIngestContext | null> {
    if (this.bus && !this.bus.isHealthy()) return this.load(deviceId);
    const nowMs = Date.now();
    const cached = this.entries.get(deviceId);
    // Several instances: an entry is also re-read after a while, a backstop should a change message ever go missing.
    if (cached && (!this.bus || nowMs - cached.loadedAtMs < SHARED_ENTRY_MAX_AGE_MS)) return cached.context;
    const context = this.load(deviceId);
    this.entries.set(deviceId, { context, loadedAtMs: nowMs });
    context.catch(() => this.entries.delete(deviceId));
    return context;
  }

  /** After any stay or consent change on a bed. */
  invalidateAll(): void {
    this.entries.clear();
    this.bus?.send({ type: 'device_contexts_changed' });
  }

  private async load(deviceId: string): Promise<DeviceIngestContext | null> {
    const device = await this.devices.findContext(deviceId);
    if (!device) return null;
    const base = { deviceId, isActive: device.isActive, bedId: device.bedId, wardId: device.wardId };
    if (!device.bedId) return { ...base, stays: [] };
    const assignments = await this.stays.activeAssignmentsForBed(device.bedId);
    const consentByStay = new Map<string, { effectiveAt: Date; camera: boolean; wearable: boolean }[]>();
    for (const stayId of new Set(assignments.map((a) => a.stayId))) {
      const events = await this.stays.consentEvents(stayId);
      consentByStay.set(stayId, events); // consentAt does not depend on their order
    }
    return {
      ...base,
      stays: assignments.map((a) => ({
        id: a.stayId,
        fromAt: a.fromAt,
        untilAt: a.untilAt,
        dataErasedAt: a.dataErasedAt,
        consent: consentByStay.get(a.stayId) ?? [],
      })),
    };
  }
}
