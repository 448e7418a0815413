/** Devices in API shape (docs/api.md `Device`). */
import type { Device } from '@attune/protocol/api';
import type { DeviceListRow } from '../repositories/device.repository.ts';
import { isoOrNull } from './time.ts';

/** A device with the consent switches it obeys (`consent`: the bed's stay's consent in force, if any). */
export function deviceToApi(d: DeviceListRow, consent: { camera: boolean; wearable: boolean } | undefined): Device {
  return {
    id: d.id,
    isActive: d.isActive,
    wardId: d.wardId,
    wardName: d.wardName,
    bedId: d.bedId,
    bedLabel: d.bedLabel,
    state: d.state,
    lastSeenAt: isoOrNull(d.lastSeenAt),
    lastScoreAt: isoOrNull(d.lastScoreAt),
    agentVersion: d.agentVersion,
    models: d.models,
    sources: d.sources,
    clockOffsetMs: d.clockOffsetMs,
    consent: { camera: consent?.camera ?? false, wearable: consent?.wearable ?? false, version: d.consentVersion },
  };
}
