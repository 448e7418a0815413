/**
 * Repeats the burst of the highest firing priority until nothing fires: the first burst at once,
 * then one every burst period (shorter once an alert escalated). A higher priority interrupts the
 * burst in progress; a change of escalation only moves the next burst.
 */
import type { Priority } from '$lib/api/types';
import { ALARM_PATTERNS, burstPeriodMs } from './patterns';
import type { AlarmVoice } from './voice';

/** What should sound: the highest firing priority, and whether an alert of it escalated. */
export interface AlarmTarget {
  priority: Priority;
  escalated: boolean;
}

export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class AlarmScheduler {
  #voice: Pick<AlarmVoice, 'playBurst' | 'silence'>;
  #clock: SchedulerClock;
  #target: AlarmTarget | null = null;
  #timer: unknown = null;
  #lastBurstAt = 0;

  constructor(voice: Pick<AlarmVoice, 'playBurst' | 'silence'>, clock: SchedulerClock = realClock) {
    this.#voice = voice;
    this.#clock = clock;
  }

  /** The priority whose burst is repeating, or null when silent. */
  get playing(): Priority | null {
    return this.#target?.priority ?? null;
  }

  /** Sets what should sound (null: silence). Calling it again with the same target changes nothing. */
  update(target: AlarmTarget | null): void {
    const current = this.#target;
    if (current?.priority === target?.priority && current?.escalated === target?.escalated) return;
    this.#cancelTimer();
    this.#target = target ? { ...target } : null;
    if (!target) {
      this.#voice.silence();
      return;
    }
    if (current?.priority === target.priority) {
      // Same sound, new pace: keep the burst that is playing, move the next one.
      const due = this.#lastBurstAt + burstPeriodMs(ALARM_PATTERNS[target.priority], target.escalated);
      this.#schedule(Math.max(0, due - this.#clock.now()));
      return;
    }
    this.#voice.silence();
    this.#burst();
  }

  #burst(): void {
    const target = this.#target;
    if (!target) return;
    const pattern = ALARM_PATTERNS[target.priority];
    this.#lastBurstAt = this.#clock.now();
    this.#voice.playBurst(pattern);
    this.#schedule(burstPeriodMs(pattern, target.escalated));
  }

  #schedule(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#burst();
    }, delayMs);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
