/** Devices and their status history in API shape (docs/api.md `Device`, `DeviceStatusRecord`). */
import type { DeviceStatus } from '@attune/protocol';
import type { ConfigResult, Device, DeviceStatusRecord, DoctorResult, FleetProblem, FleetState } from '@attune/protocol/api';
import type { DeviceListRow, DeviceStatusHistoryRow } from '../repositories/device.repository.ts';
import { isoOrNull } from './time.ts';

const configToApi = (s: DeviceStatus | null): ConfigResult | null => (s?.config ? { ...s.config } : null);
const doctorToApi = (s: DeviceStatus | null): DoctorResult | null =>
  s?.doctor ? { at: s.doctor.at, checks: s.doctor.checks.map((c) => ({ ...c })) } : null;

/** A device with its health, flags and the consent switches it obeys (the bed's stay's consent in force, if any). */
/** A device's health as the fleet rules judge it (services/fleet-health.ts). */
export interface DeviceHealth {
  state: FleetState;
  outdated: boolean;
  erroring: boolean;
  problems: FleetProblem[];
}

/** One device of the fleet page: its row, its health and the consent switches it obeys. */
export interface FleetDevice {
  row: DeviceListRow;
  health: DeviceHealth;
  consent: { camera: boolean; wearable: boolean } | undefined;
}

export function deviceToApi({ row: d, health, consent }: FleetDevice): Device {
  const last = d.lastStatus;
  return {
    id: d.id,
    isActive: d.isActive,
    decommissionedAt: isoOrNull(d.decommissionedAt),
    wardId: d.wardId,
    wardName: d.wardName,
    bedId: d.bedId,
    bedLabel: d.bedLabel,
    state: health.state,
    lastSeenAt: isoOrNull(d.lastSeenAt),
    lastScoreAt: isoOrNull(d.lastScoreAt),
    agentVersion: d.agentVersion,
    models: Object.entries(d.models)
      .map(([name, version]) => ({ name, version, sha256: last?.modelSha256?.[name] ?? null }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    sources: d.sources,
    clockOffsetMs: d.clockOffsetMs,
    outboxBacklog: last?.outboxBacklog ?? null,
    cpuPercent: last?.cpuPercent ?? null,
    memoryRssBytes: last?.memoryRssBytes ?? null,
    doctor: doctorToApi(last),
    config: configToApi(last),
    consent: { camera: consent?.camera ?? false, wearable: consent?.wearable ?? false, version: d.consentVersion },
    outdated: health.outdated,
    erroring: health.erroring,
    problems: health.problems,
  };
}

/** One stored status message. */
export function statusRecordToApi({ id, receivedAt, status: s }: DeviceStatusHistoryRow): DeviceStatusRecord {
  return {
    id,
    receivedAt: receivedAt.toISOString(),
    at: s.at,
    state: s.state,
    agentVersion: s.agentVersion,
    models: s.models,
    sources: s.sources,
    clockOffsetMs: s.clockOffsetMs,
    outboxBacklog: s.outboxBacklog ?? null,
    cpuPercent: s.cpuPercent ?? null,
    memoryRssBytes: s.memoryRssBytes ?? null,
    config: configToApi(s),
    doctor: doctorToApi(s),
  };
}
