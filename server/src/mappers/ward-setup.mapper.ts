/** Wards and beds as IT sets them up (docs/api.md `SetupWard`, `SetupBed`): names, beds and devices, never a patient. */
import type { SetupBed, SetupWard } from '@attune/protocol/api';
import type { SetupBedRow, SetupWardRow } from '../repositories/ward.repository.ts';
import { isoOrNull } from './time.ts';

export function setupBedToApi(b: SetupBedRow): SetupBed {
  return {
    id: b.id,
    label: b.label,
    position: b.position,
    retiredAt: isoOrNull(b.retiredAt),
    device: b.deviceId && b.deviceState ? { id: b.deviceId, state: b.deviceState } : null,
  };
}

/** Each ward with its beds, in the repository's order (beds in use first, in board order). */
export function setupWardsToApi(wards: SetupWardRow[], beds: SetupBedRow[]): SetupWard[] {
  return wards.map((w) => ({
    id: w.id,
    name: w.name,
    retiredAt: isoOrNull(w.retiredAt),
    beds: beds.filter((b) => b.wardId === w.id).map(setupBedToApi),
  }));
}
