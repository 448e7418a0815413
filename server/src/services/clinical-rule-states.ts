/**
 * The clinical rules' running state per stay, in memory (rebuilt from stored windows after a
 * restart or a ward takeover), and which ward each stay was last evaluated on, so an instance that
 * gives a ward up forgets exactly that ward's stays.
 */
import {
  distressRuleFor,
  evaluateDistressWindow,
  initialDistressState,
  resetAfterResolution,
  type DistressDecision,
  type DistressRuleState,
  type RuleWindow,
} from '../domain/distress-rule.ts';
import {
  evaluatePossiblePainWindow,
  initialPossiblePainState,
  resetPossiblePainAfterResolution,
  type PossiblePainDecision,
  type PossiblePainState,
} from '../domain/possible-pain-rule.ts';
import { inForce, type StaySensitivity } from '../domain/alert-sensitivity.ts';
import type { ClusterBus } from '../platform/cluster-bus.ts';
import { PRIORITY_RANK, type Priority } from '../domain/alert-types.ts';

/**
 * Whether a decision replayed from stored windows is missing from the stay's open alert of its kind
 * (the process stopped between storing the window and writing the alert).
 */
export function notYetWritten(
  type: string,
  decision: DistressDecision | PossiblePainDecision,
  active: boolean,
  open: { conditionActive: boolean; priority: Priority } | null,
): boolean {
  if (type === 'open') return active && !open?.conditionActive;
  if (type === 'escalate')
    return active && open !== null && 'priority' in decision && PRIORITY_RANK[decision.priority] > PRIORITY_RANK[open.priority];
  if (type === 'clear') return !active && open?.conditionActive === true;
  return false;
}

export class ClinicalRuleStates {
  readonly distress = new Map<string, DistressRuleState>();
  readonly pain = new Map<string, PossiblePainState>();
  private readonly wardOfStay = new Map<string, string>();
  /**
   * Each stay's latest alert-sensitivity setting (null: never set), read from the database once per
   * stay and replaced when a charge nurse changes it, so no window waits on a query for it.
   */
  readonly sensitivity = new Map<string, StaySensitivity | null>();
  /** When each stay's (or stay-less device's) consent-violation alert was last written. */
  readonly violationRaisedAtMs = new Map<string, number>();

  /** Several instances: what another instance changed in a stay's rule state applies here too. */
  applyFrom(bus: ClusterBus): void {
    const fromOthers = (from: string) => from !== bus.instanceId;
    bus.on('alert_resolved', (m, from) => fromOthers(from) && this.resetAfterResolution(m.kind, m.stayId));
    bus.on('sensitivity_changed', (m, from) => fromOthers(from) && this.sensitivity.delete(m.stayId));
    bus.on('stay_forgotten', (m, from) => fromOthers(from) && this.forgetStay(m.stayId));
  }

  /** The stay's setting in force at `at` (the server's clock), or null (standard); `load` reads it the first time. */
  async sensitivityAt(
    stayId: string,
    at: Date,
    load: (stayId: string) => Promise<StaySensitivity | null>,
  ): Promise<StaySensitivity | null> {
    let setting = this.sensitivity.get(stayId);
    if (setting === undefined) {
      setting = await load(stayId);
      this.sensitivity.set(stayId, setting);
    }
    return inForce(setting, at);
  }

  /**
   * Takes one window of a stay through the rules asked for (both, except when replaying windows
   * from before a rule's last resolution) and returns their decisions.
   */
  take(
    stayId: string,
    wardId: string | null,
    window: RuleWindow,
    sensitivity: StaySensitivity | null,
    rules: { distress: boolean; pain: boolean } = { distress: true, pain: true },
  ): { distress: DistressDecision | null; pain: PossiblePainDecision | null } {
    if (wardId) this.wardOfStay.set(stayId, wardId);
    let distress: DistressDecision | null = null;
    let pain: PossiblePainDecision | null = null;
    if (rules.distress) {
      const next = evaluateDistressWindow(
        this.distress.get(stayId) ?? initialDistressState(),
        window,
        distressRuleFor(sensitivity?.sensitivity),
      );
      this.distress.set(stayId, next.state);
      distress = next.decision;
    }
    if (rules.pain) {
      const next = evaluatePossiblePainWindow(this.pain.get(stayId) ?? initialPossiblePainState(), window);
      this.pain.set(stayId, next.state);
      pain = next.decision;
    }
    return { distress, pain };
  }

  /**
   * The stay's rule state as it is now, to put back should writing a decision fail: the window is
   * then taken again (retried, or read back by the ward's sweep) instead of counting as seen.
   * The rules return new state objects, so holding the current ones is a snapshot.
   */
  snapshot(stayId: string): { distress(): void; pain(): void } {
    const distress = this.distress.get(stayId);
    const pain = this.pain.get(stayId);
    return {
      distress: () => (distress ? this.distress.set(stayId, distress) : this.distress.delete(stayId)),
      pain: () => (pain ? this.pain.set(stayId, pain) : this.pain.delete(stayId)),
    };
  }

  /** A nurse resolved the stay's alert of this kind: that rule starts again. */
  resetAfterResolution(kind: string, stayId: string): void {
    const distress = this.distress.get(stayId);
    if (kind === 'sustained_distress' && distress) this.distress.set(stayId, resetAfterResolution(distress));
    const pain = this.pain.get(stayId);
    if (kind === 'possible_pain' && pain) this.pain.set(stayId, resetPossiblePainAfterResolution(pain));
  }

  forgetStay(stayId: string): void {
    this.distress.delete(stayId);
    this.pain.delete(stayId);
    this.wardOfStay.delete(stayId);
    this.sensitivity.delete(stayId);
    this.violationRaisedAtMs.delete(stayId);
  }

  staysOfWard(wardId: string): string[] {
    return [...this.wardOfStay].filter(([, w]) => w === wardId).map(([stayId]) => stayId);
  }
}
