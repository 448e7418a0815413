/**
 * The alarm's source of truth: the firing (unacknowledged) alerts of the signed-in user's wards,
 * loaded from GET /api/alerts?state=firing and kept current by the live `alert`, `escalation` and
 * `reset` events. From them it drives the repeating sound, the desktop notifications and the tab
 * badge, and holds the states the header shows in words (docs/alarms.md).
 */
import type { Alert, EscalationEvent, Priority, User } from '$lib/api/types';
import { escalationNotification, newAlertNotification, type NotificationPermissionState, type NotificationText } from './notifications';
import { PRIORITY_RANK } from './patterns';
import { AlarmScheduler, type AlarmTarget, type SchedulerClock } from './scheduler';
import type { AlarmVoice, AudioState } from './voice';

/** What the header says about sound. */
export type SoundState = 'on' | 'off' | 'blocked' | 'unavailable';

export interface AlarmLiveHandlers {
  alert(alert: Alert): void;
  escalation(event: EscalationEvent): void;
  reset(): void;
}

/** Everything the store touches outside itself, so tests can hand it fakes. */
export interface AlarmDeps {
  loadFiringAlerts(): Promise<Alert[]>;
  subscribe(handlers: AlarmLiveHandlers): () => void;
  createVoice(): AlarmVoice;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  permission(): NotificationPermissionState;
  requestPermission(): Promise<NotificationPermissionState>;
  notify(text: NotificationText, requireInteraction: boolean, onClick: () => void): boolean;
  badge(): { set(count: number): void; dispose(): void };
  clock?: SchedulerClock;
  /** How long to wait before loading again after a failed load. */
  retryMs?: number;
}

const storageKey = (userId: string) => `attune.alarmSound.${userId}`;

export class AlarmStore {
  firing = $state.raw<ReadonlyMap<string, Alert>>(new Map());
  preference = $state<'on' | 'off'>('on');
  audio = $state<AudioState>('unavailable');
  permission = $state<NotificationPermissionState>('unsupported');
  /** The priority whose sound is repeating; null while silent. */
  playing = $state<Priority | null>(null);
  loadError = $state<string | null>(null);

  #deps: AlarmDeps;
  #scheduler: AlarmScheduler;
  #voice: AlarmVoice | null = null;
  #user: User | null = null;
  #openWard: (wardId: string) => void = () => {};
  #cleanups: (() => void)[] = [];
  #badge: { set(count: number): void; dispose(): void } | null = null;
  #loads = 0;
  #loadedOnce = false;
  /** Alerts the live stream changed while a load was in flight: newer than what the load returns. */
  #liveDuringLoad: Map<string, Alert> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(deps: AlarmDeps) {
    this.#deps = deps;
    this.#scheduler = new AlarmScheduler(
      { playBurst: (p) => this.#voice?.playBurst(p), silence: () => this.#voice?.silence() },
      deps.clock,
    );
  }

  get count(): number {
    return this.firing.size;
  }

  get sound(): SoundState {
    if (this.preference === 'off') return 'off';
    if (this.audio === 'running') return 'on';
    return this.audio === 'suspended' ? 'blocked' : 'unavailable';
  }

  /** IT staff hear their technical alerts at low priority only: no patient waits on them. */
  #priorityOf(alert: { priority: Priority }): Priority {
    return this.#user?.role === 'it_admin' ? 'low' : alert.priority;
  }

  /** The highest firing priority, escalated when any alert of it escalated; null when none fires. */
  get target(): AlarmTarget | null {
    let best: AlarmTarget | null = null;
    for (const a of this.firing.values()) {
      const priority = this.#priorityOf(a);
      const escalated = a.escalationLevel > 0;
      if (!best || PRIORITY_RANK[priority] > PRIORITY_RANK[best.priority]) best = { priority, escalated };
      else if (priority === best.priority && escalated) best.escalated = true;
    }
    return best;
  }

  /** Starts following the user's alerts (once per user); `openWard` opens a ward's board. */
  start(user: User, openWard: (wardId: string) => void): void {
    if (this.#user?.id === user.id) return;
    this.stop();
    this.#user = user;
    this.#openWard = openWard;
    const stored = this.#deps.storage?.getItem(storageKey(user.id));
    this.preference = stored === 'on' || stored === 'off' ? stored : user.role === 'it_admin' ? 'off' : 'on';
    this.permission = this.#deps.permission();
    this.#badge = this.#deps.badge();
    if (this.preference === 'on') this.#ensureVoice();
    this.#cleanups.push(
      this.#deps.subscribe({
        alert: (a) => this.#onAlert(a),
        escalation: (e) => this.#onEscalation(e),
        reset: () => void this.load(),
      }),
    );
    if (typeof document !== 'undefined') {
      // Any click or key press is a gesture the browser accepts for starting sound: use the first.
      const unlock = () => {
        if (this.preference === 'on' && this.audio === 'suspended') void this.#voice?.resume();
      };
      document.addEventListener('pointerdown', unlock, true);
      document.addEventListener('keydown', unlock, true);
      this.#cleanups.push(() => {
        document.removeEventListener('pointerdown', unlock, true);
        document.removeEventListener('keydown', unlock, true);
      });
    }
    void this.load();
  }

  /** Stops everything, for sign-out. */
  stop(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#user = null;
    this.#loadedOnce = false;
    this.firing = new Map();
    this.#sync();
    this.#badge?.dispose();
    this.#badge = null;
  }

  /** Loads the firing alerts again (at start, and when the stream says it lost events). */
  async load(): Promise<void> {
    const user = this.#user;
    if (!user) return;
    const load = ++this.#loads;
    this.#liveDuringLoad = new Map();
    try {
      const alerts = await this.#deps.loadFiringAlerts();
      if (load !== this.#loads || this.#user !== user) return;
      const next = new Map(alerts.filter((a) => a.state === 'firing').map((a) => [a.id, a]));
      for (const [id, a] of this.#liveDuringLoad ?? []) {
        if (a.state === 'firing') next.set(id, a);
        else next.delete(id);
      }
      // After a reload, alerts that appeared while events were lost are new to the nurse too.
      if (this.#loadedOnce) for (const a of next.values()) if (!this.firing.has(a.id)) this.#notifyNew(a);
      this.#liveDuringLoad = null;
      this.#loadedOnce = true;
      this.loadError = null;
      this.firing = next;
      this.#sync();
    } catch {
      if (load !== this.#loads) return;
      this.#liveDuringLoad = null;
      this.loadError = 'Alarms could not load the open alerts: retrying.';
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        void this.load();
      }, this.#deps.retryMs ?? 10_000);
    }
  }

  /** Turns sound on from a click: the gesture lets the browser start the audio. */
  async enableSound(): Promise<void> {
    this.#setPreference('on');
    const voice = this.#ensureVoice();
    try {
      await voice.resume();
    } finally {
      this.audio = voice.state;
      this.#sync();
    }
  }

  disableSound(): void {
    this.#setPreference('off');
    this.#sync();
  }

  /** Asks for notification permission; call only from a click. */
  async requestNotifications(): Promise<void> {
    this.permission = await this.#deps.requestPermission();
  }

  #setPreference(value: 'on' | 'off'): void {
    this.preference = value;
    if (this.#user) this.#deps.storage?.setItem(storageKey(this.#user.id), value);
  }

  #ensureVoice(): AlarmVoice {
    if (!this.#voice) {
      const voice = this.#deps.createVoice();
      this.#voice = voice;
      this.audio = voice.state;
      voice.onStateChange((state) => {
        this.audio = state;
        this.#sync();
      });
    }
    return this.#voice;
  }

  #onAlert(alert: Alert): void {
    this.#liveDuringLoad?.set(alert.id, alert);
    const before = this.firing.get(alert.id);
    const next = new Map(this.firing);
    if (alert.state === 'firing') next.set(alert.id, alert);
    else next.delete(alert.id);
    const rose = before && PRIORITY_RANK[alert.priority] > PRIORITY_RANK[before.priority];
    if (alert.state === 'firing' && (!before || rose)) this.#notifyNew(alert);
    this.firing = next;
    this.#sync();
  }

  #onEscalation(event: EscalationEvent): void {
    const alert = this.firing.get(event.alertId);
    if (alert && alert.escalationLevel < event.level) {
      this.firing = new Map(this.firing).set(alert.id, { ...alert, escalationLevel: event.level });
      this.#sync();
    }
    if (this.#user?.role === 'charge_nurse') {
      this.#deps.notify(escalationNotification(event), true, () => this.#openWard(event.wardId));
    }
  }

  #notifyNew(alert: Alert): void {
    const priority = this.#priorityOf(alert);
    if (priority === 'low') return;
    this.#deps.notify(newAlertNotification(alert), priority === 'high', () => this.#openWard(alert.wardId));
  }

  #sync(): void {
    this.#scheduler.update(this.sound === 'on' ? this.target : null);
    this.playing = this.#scheduler.playing;
    this.#badge?.set(this.count);
  }
}
