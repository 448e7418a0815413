/**
 * Ward and bed setup (it_admin only; the route checks the role): create, rename and retire wards;
 * add, rename, reorder and retire beds. Retiring keeps the row (stays and alerts still point at
 * it) and takes it off boards and pickers. A bed is retired only when no patient is in it and no
 * device serves it; a ward only when none of its beds is in use. Each change runs in one
 * transaction with the ward's row locked, and is written to audit_log.
 */
import type { SetupWard, SetupWardList } from '@attune/protocol/api';
import { DomainError } from '../domain/errors.ts';
import { setupWardsToApi } from '../mappers/ward-setup.mapper.ts';
import type { AuditRepository } from '../repositories/audit.repository.ts';
import type { SetupWardRow, WardChange, WardRepository } from '../repositories/ward.repository.ts';

const quote = (s: string) => `“${s}”`;

export class WardSetupService {
  constructor(private readonly deps: { wards: WardRepository; audit: AuditRepository }) {}

  /** Every ward with all its beds and their devices: wards in use first, then retired ones. */
  async list(): Promise<SetupWardList> {
    const wards = await this.deps.wards.setupWards();
    return { wards: setupWardsToApi(wards, await this.deps.wards.setupBeds(wards.map((w) => w.id))) };
  }

  /** A new ward with no beds. Names are unique among every ward ever made, case ignored. */
  async createWard(name: string, actorId: string): Promise<SetupWard> {
    const wardId = await this.deps.wards.change(null, async (tx) => {
      const id = (await tx.isWardNameTaken(name)) ? null : await tx.insertWard(name);
      if (!id) throw wardNameTaken(name);
      return id;
    });
    await this.audit(actorId, 'ward.created', 'ward', wardId, { name });
    return this.view(wardId);
  }

  async renameWard(wardId: string, name: string, actorId: string): Promise<SetupWard> {
    const from = await this.deps.wards.change(wardId, async (tx, ward) => {
      const w = inUse(ward, 'it cannot be renamed');
      if (w.name === name) return null;
      if (await tx.isWardNameTaken(name, wardId)) throw wardNameTaken(name);
      await tx.renameWard(wardId, name);
      return w.name;
    });
    if (from !== null) await this.audit(actorId, 'ward.renamed', 'ward', wardId, { from, to: name });
    return this.view(wardId);
  }

  /** Retires a ward whose beds are all retired: it leaves boards, pickers and users' ward choices. */
  async retireWard(wardId: string, actorId: string, at: Date): Promise<SetupWard> {
    const retired = await this.deps.wards.change(wardId, async (tx, ward) => {
      if (!ward) throw noSuchWard();
      if (ward.retiredAt) return false;
      const beds = await tx.activeBeds(wardId);
      if (beds.length > 0) {
        const labels = beds.map((b) => b.label).join(', ');
        throw new DomainError(
          'ward_has_active_beds',
          `${ward.name} still has ${beds.length === 1 ? '1 bed' : `${beds.length} beds`} in use (${labels}): retire every bed of the ward first, then the ward.`,
        );
      }
      await tx.retireWard(wardId, at);
      return true;
    });
    if (retired) await this.audit(actorId, 'ward.retired', 'ward', wardId);
    return this.view(wardId);
  }

  /** A new bed at the end of the ward's board. */
  async addBed(wardId: string, label: string, actorId: string): Promise<SetupWard> {
    const bedId = await this.deps.wards.change(wardId, async (tx, ward) => {
      const w = inUse(ward, 'beds cannot be added to it');
      await checkLabelFree(tx, w, label);
      return tx.insertBed(wardId, label);
    });
    await this.audit(actorId, 'bed.created', 'bed', bedId, { wardId, label });
    return this.view(wardId);
  }

  /** Puts the ward's beds in use in this order on the board; the list must name each of them once. */
  async orderBeds(wardId: string, bedIds: string[], actorId: string): Promise<SetupWard> {
    const changed = await this.deps.wards.change(wardId, async (tx, ward) => {
      inUse(ward, 'its beds cannot be reordered');
      const current = (await tx.activeBeds(wardId)).map((b) => b.id);
      const isSameSet =
        new Set(bedIds).size === bedIds.length && bedIds.length === current.length && bedIds.every((id) => current.includes(id));
      if (!isSameSet) {
        const problem = `list each of the ward's ${current.length} beds in use exactly once`;
        throw new DomainError('validation_failed', `The new order must ${problem}`, { bedIds: problem });
      }
      if (bedIds.every((id, i) => current[i] === id)) return false;
      await tx.orderBeds(bedIds);
      return true;
    });
    if (changed) await this.audit(actorId, 'bed.reordered', 'ward', wardId, { bedIds });
    return this.view(wardId);
  }

  async renameBed(bedId: string, label: string, actorId: string): Promise<SetupWard> {
    const { wardId, from } = await this.inBedsWard(bedId, async (tx, ward, bed) => {
      if (bed.retiredAt) throw new DomainError('conflict', `${bed.label} on ${ward.name} is retired: it cannot be renamed.`);
      if (bed.label === label) return null;
      await checkLabelFree(tx, ward, label, bedId);
      await tx.relabelBed(bedId, label);
      return bed.label;
    });
    if (from !== null) await this.audit(actorId, 'bed.renamed', 'bed', bedId, { wardId, from, to: label });
    return this.view(wardId);
  }

  /**
   * Retires a bed that no patient is in and no device serves: it leaves the board, admission and
   * transfer choices; its stays and alerts stay readable. Retiring decommissions nothing itself.
   */
  async retireBed(bedId: string, actorId: string, at: Date): Promise<SetupWard> {
    const { wardId, from: retired } = await this.inBedsWard(bedId, async (tx, ward, bed) => {
      if (bed.retiredAt) return false;
      const where = `${bed.label} on ${ward.name}`;
      if (await tx.hasActiveStay(bedId)) {
        throw new DomainError(
          'bed_has_active_stay',
          `${where} has a patient in it: a charge nurse must discharge or transfer the patient before the bed can be retired.`,
        );
      }
      const devices = await tx.servingDevices(bedId);
      if (devices.length > 0) {
        throw new DomainError(
          'bed_has_device',
          `${where} still has device ${devices.join(', ')} on it: decommission the device or move it to another bed first, then retire the bed.`,
        );
      }
      await tx.retireBed(bedId, at);
      return true;
    });
    if (retired) await this.audit(actorId, 'bed.retired', 'bed', bedId, { wardId });
    return this.view(wardId);
  }

  /** Runs a change on a bed with its ward locked (then the bed); 404 for no such bed. */
  private async inBedsWard<T>(
    bedId: string,
    change: (tx: WardChange, ward: SetupWardRow, bed: { id: string; label: string; retiredAt: Date | null }) => Promise<T>,
  ): Promise<{ wardId: string; from: T }> {
    const wardId = await this.deps.wards.wardOfBed(bedId);
    if (!wardId) throw noSuchBed();
    const from = await this.deps.wards.change(wardId, async (tx, ward) => {
      const bed = await tx.lockBed(bedId);
      if (!ward || !bed) throw noSuchBed();
      return change(tx, ward, bed);
    });
    return { wardId, from };
  }

  private async view(wardId: string): Promise<SetupWard> {
    const wards = await this.deps.wards.setupWards(wardId);
    const [ward] = setupWardsToApi(wards, await this.deps.wards.setupBeds([wardId]));
    if (!ward) throw noSuchWard();
    return ward;
  }

  private audit(actorId: string, action: string, subjectType: 'ward' | 'bed', subjectId: string, detail?: Record<string, unknown>) {
    return this.deps.audit.write({ actorUserId: actorId, action, subjectType, subjectId, ...(detail ? { detail } : {}) });
  }
}

const noSuchWard = () => new DomainError('not_found', 'No such ward');
const noSuchBed = () => new DomainError('not_found', 'No such bed');

function wardNameTaken(name: string): DomainError {
  return new DomainError('conflict', `A ward named ${quote(name)} already exists (a retired ward keeps its name): choose another name.`, {
    name: 'taken',
  });
}

/** The ward, if it exists and is in use. */
function inUse(ward: SetupWardRow | null, refusal: string): SetupWardRow {
  if (!ward) throw noSuchWard();
  if (ward.retiredAt) throw new DomainError('conflict', `${ward.name} is retired: ${refusal}.`);
  return ward;
}

/** Bed labels are unique among the ward's beds in use (a retired bed's label may be used again). */
async function checkLabelFree(tx: WardChange, ward: SetupWardRow, label: string, exceptBedId?: string): Promise<void> {
  const taken = (await tx.activeBeds(ward.id)).some((b) => b.id !== exceptBedId && b.label.toLowerCase() === label.toLowerCase());
  if (taken) {
    throw new DomainError('conflict', `${ward.name} already has a bed labelled ${quote(label)}: choose another label.`, { label: 'taken' });
  }
}
