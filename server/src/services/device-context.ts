/**
 * What ingest needs to know about a device to accept a window: is it enrolled and active, which
 * bed and ward, which stay is active there and that stay's consent history. Loaded once and
 * cached, because ingest checks it for every message; every change of stay or consent goes
 * through the server, which invalidates the entry.
 */
import type { DeviceRepository } from '../repositories/device.repository.ts';
import type { StayRepository } from '../repositories/stay.repository.ts';

export interface DeviceIngestContext {
  deviceId: string;
  isActive: boolean;
  bedId: string | null;
  wardId: string | null;
  stay: null | {
    id: string;
    admittedAt: Date;
    /** Sorted by effectiveAt. */
    consent: { effectiveAt: Date; camera: boolean; wearable: boolean }[];
  };
}

export class DeviceContextCache {
  private readonly entries = new Map<string, Promise<DeviceIngestContext | null>>();

  constructor(
    private readonly devices: DeviceRepository,
    private readonly stays: StayRepository,
  ) {}

  get(deviceId: string): Promise<DeviceIngestContext | null> {
    let entry = this.entries.get(deviceId);
    if (!entry) {
      entry = this.load(deviceId);
      this.entries.set(deviceId, entry);
      entry.catch(() => this.entries.delete(deviceId));
    }
    return entry;
  }

  invalidateDevice(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  /** After any stay or consent change on a bed. */
  invalidateAll(): void {
    this.entries.clear();
  }

  private async load(deviceId: string): Promise<DeviceIngestContext | null> {
    const device = await this.devices.findContext(deviceId);
    if (!device) return null;
    const base = { deviceId, isActive: device.isActive, bedId: device.bedId, wardId: device.wardId };
    if (!device.bedId) return { ...base, stay: null };
    const stay = await this.stays.activeStayForBed(device.bedId);
    if (!stay) return { ...base, stay: null };
    const events = await this.stays.consentEvents(stay.id);
    const consent = events
      .map((e) => ({ effectiveAt: e.effectiveAt, camera: e.camera, wearable: e.wearable }))
      .sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime());
    return { ...base, stay: { id: stay.id, admittedAt: stay.admittedAt, consent } };
  }
}
