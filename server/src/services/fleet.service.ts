/**
 * The fleet page's data: every device with its health and flags (fleet-health.ts), the consent
 * switches it obeys, the fleet summary, and one device's status history.
 */
import type { FleetState, FleetSummary } from '@attune/protocol/api';
import type { DeviceRepository, DeviceStatusHistoryRow } from '../repositories/device.repository.ts';
import type { ConsentReadRepository, StayRepository } from '../repositories/stay.repository.ts';
import type { FleetDevice } from '../mappers/device.mapper.ts';
import { assessDevice, BACKLOG_GROWING_STATUSES, newestVersions, summarizeFleet } from './fleet-health.ts';

/** Statuses older than this do not count towards a growing backlog (about six at the agent's 20 s period). */
const BACKLOG_WINDOW_MS = 2 * 60_000;

export interface FleetFilter {
  state?: FleetState;
  wardId?: string;
  outdated?: boolean;
  erroring?: boolean;
}

export class FleetService {
  constructor(
    private readonly deps: {
      devices: DeviceRepository;
      stays: StayRepository;
      consent: ConsentReadRepository;
    },
  ) {}

  /** The devices the filter asks for, and the summary of the whole fleet. */
  async list(filter: FleetFilter, now: Date): Promise<{ devices: FleetDevice[]; summary: FleetSummary }> {
    const fleet = await this.assessAll(now);
    const matches = (d: FleetDevice) =>
      (filter.state === undefined || d.health.state === filter.state) &&
      (filter.wardId === undefined || d.row.wardId === filter.wardId) &&
      (filter.outdated === undefined || d.health.outdated === filter.outdated) &&
      (filter.erroring === undefined || d.health.erroring === filter.erroring);
    const devices = fleet.filter(matches);
    await this.addConsent(devices, now);
    return { devices, summary: summarizeFleet(fleet) };
  }

  /** One device (null: no such device) with a page of its status history, newest first. */
  async detail(
    deviceId: string,
    page: { limit: number; before?: number },
    now: Date,
  ): Promise<{ device: FleetDevice; history: DeviceStatusHistoryRow[]; nextBefore: number | null } | null> {
    const [row] = await this.deps.devices.list({ deviceId });
    if (!row) return null;
    // Outdated is relative to the fleet's newest versions, so the whole fleet's versions are read.
    const newest = newestVersions(await this.deps.devices.list());
    const backlogs = await this.deps.devices.recentBacklogs(
      new Date(now.getTime() - BACKLOG_WINDOW_MS),
      BACKLOG_GROWING_STATUSES,
      deviceId,
    );
    const device: FleetDevice = { row, health: assessDevice(row, newest, backlogs.get(deviceId) ?? []), consent: undefined };
    await this.addConsent([device], now);
    // One more than asked for says whether an older page exists.
    const rows = await this.deps.devices.statusHistory(deviceId, { limit: page.limit + 1, before: page.before });
    const history = rows.slice(0, page.limit);
    return { device, history, nextBefore: rows.length > page.limit ? history.at(-1)!.id : null };
  }

  private async assessAll(now: Date): Promise<FleetDevice[]> {
    const rows = await this.deps.devices.list();
    const newest = newestVersions(rows);
    const backlogs = await this.deps.devices.recentBacklogs(new Date(now.getTime() - BACKLOG_WINDOW_MS), BACKLOG_GROWING_STATUSES);
    return rows.map((row) => ({ row, health: assessDevice(row, newest, backlogs.get(row.id) ?? []), consent: undefined }));
  }

  /** The consent in force on each device's bed: which sensors the agent may use. */
  private async addConsent(devices: FleetDevice[], now: Date): Promise<void> {
    const stayByBed = new Map<string, string>();
    for (const { row } of devices) {
      if (!row.bedId || stayByBed.has(row.bedId)) continue;
      const stay = await this.deps.stays.activeStayForBed(row.bedId);
      if (stay) stayByBed.set(row.bedId, stay.id);
    }
    const consents = await this.deps.consent.current([...stayByBed.values()], now);
    for (const d of devices) {
      const stayId = d.row.bedId ? stayByBed.get(d.row.bedId) : undefined;
      d.consent = stayId ? consents.find((c) => c.stayId === stayId) : undefined;
    }
  }
}
