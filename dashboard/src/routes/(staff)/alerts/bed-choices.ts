/**
 * The beds the Alerts page can filter by: the beds of the wards a nurse or charge nurse works on
 * (from their boards), or for IT the beds with a device (IT reads devices, not boards). A ward's
 * name prefixes a bed's label when there are several wards.
 */
import { getBoard, getDevices } from '$lib/api/client';
import { session } from '$lib/session.svelte';

export type BedChoice = { id: string; label: string };

const byLabel = (a: BedChoice, b: BedChoice) => a.label.localeCompare(b.label, undefined, { numeric: true });

export async function loadBedChoices(): Promise<BedChoice[]> {
  if (session.canReadBoards) {
    const several = session.wards.length > 1;
    const boards = await Promise.all(session.wards.map((w) => getBoard(w.id)));
    return boards
      .flatMap((b) => b.beds.map((bed) => ({ id: bed.bedId, label: several ? `${b.ward.name} · ${bed.label}` : bed.label })))
      .sort(byLabel);
  }
  if (session.canReadDevices) {
    const seen = new Map<string, BedChoice>();
    for (const d of await getDevices()) {
      if (d.bedId) seen.set(d.bedId, { id: d.bedId, label: `${d.wardName ?? 'No ward'} · ${d.bedLabel ?? d.bedId}` });
    }
    return [...seen.values()].sort(byLabel);
  }
  return [];
}
