/** Fakes for the alarm's unit tests: a recording voice, and the store's outside world. */
import { afterEach, beforeEach, vi } from 'vitest';
import type { Alert, EscalationEvent, Priority, User } from '$lib/api/types';
import { AlarmStore, type AlarmDeps, type AlarmLiveHandlers } from './alarm-store.svelte';
import type { NotificationPermissionState, NotificationText } from './notifications';
import type { AlarmPattern } from './patterns';
import type { AlarmVoice, AudioState } from './voice';

export class RecordingVoice implements AlarmVoice {
  state: AudioState;
  /** Every burst and silence, with the fake clock's time. */
  log: { at: number; what: Priority | 'silence' }[] = [];
  resumed = 0;
  #listeners = new Set<(s: AudioState) => void>();

  constructor(state: AudioState = 'running') {
    this.state = state;
  }

  playBurst(pattern: AlarmPattern): void {
    this.log.push({ at: Date.now(), what: pattern.priority });
  }

  silence(): void {
    this.log.push({ at: Date.now(), what: 'silence' });
  }

  async resume(): Promise<void> {
    this.resumed++;
    this.setState('running');
  }

  setState(state: AudioState): void {
    this.state = state;
    for (const l of this.#listeners) l(state);
  }

  onStateChange(listener: (s: AudioState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The bursts only, as [ms since `t0`, priority]. */
  bursts(t0: number): [number, Priority][] {
    return this.log.filter((e) => e.what !== 'silence').map((e) => [e.at - t0, e.what as Priority]);
  }
}

export const NURSE: User = {
  id: 'u-nurse',
  username: 'nurse',
  displayName: 'Nurse',
  role: 'nurse',
  wardIds: ['w1'],
  mustChangePassword: false,
};
export const CHARGE: User = { ...NURSE, id: 'u-charge', role: 'charge_nurse' };
export const IT: User = { ...NURSE, id: 'u-it', role: 'it_admin', wardIds: [] };

/** A firing alert; fields a test names override the defaults. */
export function firingAlert(id: string, overrides: Partial<Alert> = {}): Alert {
  const at = new Date().toISOString();
  return {
    id,
    kind: 'sustained_distress',
    category: 'clinical',
    priority: 'high',
    state: 'firing',
    conditionActive: true,
    wardId: 'w1',
    bedId: `bed-${id}`,
    bedLabel: 'Bed 5',
    stayId: 's1',
    patientName: 'A. Patient',
    deviceId: 'd1',
    openedAt: at,
    firingSince: at,
    escalationLevel: 0,
    escalatedAt: null,
    updatedAt: at,
    conditionClearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    outcome: null,
    note: null,
    explanation: { summary: 'Distress high for 75 s.', evidence: [], painad: [], unobserved: [], models: {} },
    ...overrides,
  };
}

/** The first escalation of a high alert on bed 5, after `unacknowledgedS`. */
export function escalation(alertId: string, unacknowledgedS: number): EscalationEvent {
  return { alertId, wardId: 'w1', bedId: 'b5', bedLabel: 'Bed 5', kind: 'sustained_distress', priority: 'high', level: 1, unacknowledgedS };
}

/** The store's outside world, recorded: what it loaded, notified and badged, and a live stream to push events into. */
export class FakeWorld {
  voices: RecordingVoice[] = [];
  voiceState: RecordingVoice['state'] = 'running';
  stored = new Map<string, string>();
  notified: { text: NotificationText; requireInteraction: boolean; click: () => void }[] = [];
  badgeCounts: number[] = [];
  permissionState: NotificationPermissionState = 'default';
  live: AlarmLiveHandlers | null = null;
  /** What the next load answers: alerts, or an error to throw. */
  nextLoad: Alert[] | Error = [];
  loads = 0;

  get voice(): RecordingVoice | undefined {
    return this.voices.at(-1);
  }

  deps(): AlarmDeps {
    return {
      loadFiringAlerts: async () => {
        this.loads++;
        if (this.nextLoad instanceof Error) throw this.nextLoad;
        return this.nextLoad;
      },
      subscribe: (handlers) => {
        this.live = handlers;
        return () => (this.live = null);
      },
      createVoice: () => {
        const voice = new RecordingVoice(this.voiceState);
        this.voices.push(voice);
        return voice;
      },
      storage: { getItem: (k) => this.stored.get(k) ?? null, setItem: (k, v) => void this.stored.set(k, v) },
      permission: () => this.permissionState,
      requestPermission: async () => (this.permissionState = 'granted'),
      notify: (text, requireInteraction, click) => {
        this.notified.push({ text, requireInteraction, click });
        return true;
      },
      badge: () => ({ set: (n) => void this.badgeCounts.push(n), dispose: () => void this.badgeCounts.push(0) }),
      retryMs: 1_000,
    };
  }

  store(): AlarmStore {
    return new AlarmStore(this.deps());
  }

  /** A store started for `user`, its first load answered. */
  async started(user: User = NURSE, openWard: (wardId: string) => void = () => {}): Promise<AlarmStore> {
    const alarms = this.store();
    alarms.start(user, openWard);
    await settle();
    return alarms;
  }
}

/** Lets the store's awaited load finish under fake timers. */
export const settle = () => vi.advanceTimersByTimeAsync(0);

/**
 * A fresh world for each test of the calling `describe`, under fake timers (the store retries its
 * load and the alarm sounds in bursts on timers). Call it in the describe's body; each test reads
 * its own world through the function it returns.
 */
export function fakeWorldEachTest(): () => FakeWorld {
  let world = new FakeWorld();
  beforeEach(() => {
    vi.useFakeTimers();
    world = new FakeWorld();
  });
  afterEach(() => vi.useRealTimers());
  return () => world;
}
