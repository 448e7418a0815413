/**
 * What the Setup page shows and asks, as plain functions: which wards and beds are in use, the
 * order after moving a bed, the words of each dialog, and a refusal from the server in words.
 */
import { ApiError, describeError } from '$lib/api/client';
import type { SetupBed, SetupWard } from '$lib/api/types';

/** Wards in use (by name) and retired ones, as the server lists them. */
export function splitWards(wards: SetupWard[]): { inUse: SetupWard[]; retired: SetupWard[] } {
  return { inUse: wards.filter((w) => !w.retiredAt), retired: wards.filter((w) => w.retiredAt) };
}

/** A ward's beds in use (board order) and its retired beds. */
export function splitBeds(ward: SetupWard): { inUse: SetupBed[]; retired: SetupBed[] } {
  return { inUse: ward.beds.filter((b) => !b.retiredAt), retired: ward.beds.filter((b) => b.retiredAt) };
}

/** The ward's beds in use in their new order after moving one bed a place up (-1) or down (+1); null when it cannot move. */
export function movedOrder(ward: SetupWard, bedId: string, by: -1 | 1): string[] | null {
  const ids = splitBeds(ward).inUse.map((b) => b.id);
  const from = ids.indexOf(bedId);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return null;
  [ids[from], ids[to]] = [ids[to]!, ids[from]!];
  return ids;
}

/** Which name dialog is open, and for what. */
export type NameDialog =
  | { kind: 'add-ward' }
  | { kind: 'rename-ward'; ward: SetupWard }
  | { kind: 'add-bed'; ward: SetupWard }
  | { kind: 'rename-bed'; ward: SetupWard; bed: SetupBed };

/** Title, field label, starting value and button of a name dialog. */
export function nameDialogText(d: NameDialog): { title: string; label: string; initial: string; button: string } {
  switch (d.kind) {
    case 'add-ward':
      return { title: 'Add a ward', label: 'Ward name', initial: '', button: 'Add ward' };
    case 'rename-ward':
      return { title: `Rename ${d.ward.name}`, label: 'Ward name', initial: d.ward.name, button: 'Save name' };
    case 'add-bed':
      return { title: `Add a bed to ${d.ward.name}`, label: 'Bed label (what nurses call it)', initial: '', button: 'Add bed' };
    case 'rename-bed':
      return { title: `Rename ${d.bed.label} on ${d.ward.name}`, label: 'Bed label', initial: d.bed.label, button: 'Save label' };
  }
}

/** Which retirement is being confirmed. */
export type RetireDialog = { kind: 'ward'; ward: SetupWard } | { kind: 'bed'; ward: SetupWard; bed: SetupBed };

/** The confirmation in words: what retiring does and what it refuses. */
export function retireText(d: RetireDialog): { title: string; body: string; button: string } {
  if (d.kind === 'ward') {
    return {
      title: `Retire ${d.ward.name}?`,
      body: `${d.ward.name} leaves the ward lists, boards, the tablet's ward list and users' ward choices. Its history (stays and alerts) stays readable. A ward is retired only once every bed of it is retired. This cannot be undone here.`,
      button: 'Retire ward',
    };
  }
  return {
    title: `Retire ${d.bed.label} on ${d.ward.name}?`,
    body: `${d.bed.label} leaves the ward board and can no longer take a patient. Its history (stays and alerts) stays readable. Attune refuses while a patient is in the bed or a device still serves it: retiring decommissions nothing. This cannot be undone here.`,
    button: 'Retire bed',
  };
}

/** The server's refusal as IT should read it: its own words for a refusal (409) or a bad name (400). */
export function refusalText(err: unknown, field: 'name' | 'label' | null = null): string {
  if (err instanceof ApiError && err.status === 409) return err.message;
  if (err instanceof ApiError && err.status === 400 && field && err.fields[field]) return err.fields[field];
  return describeError(err);
}
