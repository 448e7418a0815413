/**
 * A ward's board as the desk and the wall display both show it: loaded over HTTP, then kept current
 * by the live stream (scores, alerts, devices, monitoring, consent, stays), and loaded again after a
 * `reset` or when a tile no longer matches its stay. Create it while a component initialises: its
 * clock and subscription stop with the component.
 */
import { untrack } from 'svelte';
import { describeError, getAlerts, getBoard } from '$lib/api/client';
import type { Alert, BedTile, Board } from '$lib/api/types';
import { addToSparkline, alertBelongsToTile, isMonitored, pickOpenAlert, upsertOpenAlert } from '$lib/board';
import { isCurrent, live } from '$lib/live.svelte';
import { Now } from '$lib/now.svelte';

export class WardBoard {
  board = $state<Board | null>(null);
  alerts = $state<Alert[]>([]);
  loadError = $state<string | null>(null);
  /** Moves every second, so "unacknowledged 40 s" and "last update 32 s ago" count in seconds. */
  readonly clock = new Now(1000);

  readonly #wardId: () => string;
  /** Runs before each load; false skips it (the wall display, once signed out, keeps what it shows). */
  readonly #mayLoad: () => Promise<boolean>;
  /** False on the wall display: a session ending between mayLoad and the load must not blank the screen. */
  readonly #redirectOn401: boolean;
  #loadSeq = 0;
  #refetchTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(wardId: () => string, options: { mayLoad?: () => Promise<boolean>; redirectOn401?: boolean } = {}) {
    this.#wardId = wardId;
    this.#mayLoad = options.mayLoad ?? (() => Promise.resolve(true));
    this.#redirectOn401 = options.redirectOn401 ?? true;

    // Only the ward id is a dependency: what load() reads must not start another load.
    $effect(() => {
      const id = this.#wardId();
      untrack(() => void this.load(id));
    });
    $effect(() => live.subscribe(this.#handlers));
    // A load that failed (the server was away) is tried again as soon as the stream is back: a wall
    // display started while the server was down fills itself in without anyone touching it.
    $effect(() => {
      if (live.status === 'live' && untrack(() => this.loadError !== null)) untrack(() => void this.load());
    });
    $effect(() => () => {
      if (this.#refetchTimer) clearTimeout(this.#refetchTimer);
    });
  }

  get now(): number {
    return this.clock.ms;
  }

  /** When the board last heard from the server while the stream is not live, else null: tiles grey out. */
  get notLiveSince(): number | null {
    if (isCurrent(live.status)) return null;
    return live.lastEventAt?.getTime() ?? (this.board ? Date.parse(this.board.generatedAt) : this.now);
  }

  get openCount(): number {
    return this.alerts.filter((a) => a.state !== 'resolved').length;
  }

  get firingCount(): number {
    return this.alerts.filter((a) => a.state === 'firing').length;
  }

  get monitoredCount(): number {
    return this.board ? this.board.beds.filter(isMonitored).length : 0;
  }

  /** The full open alert a tile shows, when the board has it. */
  alertOf(tile: BedTile): Alert | null {
    return tile.openAlert ? (this.alerts.find((a) => a.id === tile.openAlert!.id) ?? null) : null;
  }

  async load(id: string = this.#wardId()): Promise<void> {
    const seq = ++this.#loadSeq;
    if (id !== this.board?.ward.id) {
      this.board = null;
      this.alerts = [];
      this.loadError = null;
    }
    try {
      if (!(await this.#mayLoad())) return;
      const opts = { redirectOn401: this.#redirectOn401 };
      const [b, a] = await Promise.all([getBoard(id, opts), getAlerts({ state: 'open', wardId: id }, opts)]);
      if (seq !== this.#loadSeq) return;
      this.board = b;
      this.alerts = a;
      this.loadError = null;
    } catch (err) {
      if (seq === this.#loadSeq) this.loadError = describeError(err);
    }
  }

  /** An alert of this ward changed (live, or in its dialog): the open alerts and the tiles it concerns follow. */
  onAlertChanged = (a: Alert): void => {
    if (!this.board) return;
    this.alerts = upsertOpenAlert(this.alerts, a);
    for (const tile of this.board.beds) {
      if (alertBelongsToTile(a, tile) || tile.openAlert?.id === a.id) tile.openAlert = pickOpenAlert(this.alerts, tile);
    }
  };

  // Refetches triggered by events are coalesced (e.g. a burst of consent changes).
  #scheduleRefetch(): void {
    if (this.#refetchTimer) return;
    this.#refetchTimer = setTimeout(() => {
      this.#refetchTimer = null;
      void this.load();
    }, 300);
  }

  /**
   * The tile an event about a stay is for, or null when it is another ward's or the bed is not on the
   * board. A tile that no longer holds the event's stay (admitted, moved or discharged since) is also
   * null, and the board is fetched again.
   */
  #tileOfStay(ev: { wardId: string; bedId: string; stayId: string }): BedTile | null {
    if (!this.board || ev.wardId !== this.board.ward.id) return null;
    const tile = this.board.beds.find((t) => t.bedId === ev.bedId);
    if (!tile) return null;
    if (tile.stay?.id !== ev.stayId) {
      this.#scheduleRefetch();
      return null;
    }
    return tile;
  }

  #handlers: Parameters<typeof live.subscribe>[0] = {
    score: (ev) => {
      const tile = this.#tileOfStay(ev);
      if (!tile || !isMonitored(tile)) return;
      if (!tile.latest || Date.parse(ev.windowEnd) >= Date.parse(tile.latest.windowEnd)) {
        tile.latest = { windowEnd: ev.windowEnd, distress: ev.distress, confidence: ev.confidence, drivers: ev.drivers };
      }
      tile.sparkline = addToSparkline(tile.sparkline, ev.windowEnd, ev.distress, Date.now());
    },
    alert: (a) => {
      if (this.board && a.wardId === this.board.ward.id) this.onAlertChanged(a);
    },
    device: (ev) => {
      if (!this.board) return;
      const tile = this.board.beds.find((t) => t.device?.id === ev.deviceId || (ev.bedId !== null && t.bedId === ev.bedId));
      if (!tile) return;
      if (ev.bedId !== tile.bedId && tile.device?.id === ev.deviceId) {
        // The device moved away from this bed.
        this.#scheduleRefetch();
        return;
      }
      tile.device = { id: ev.deviceId, state: ev.state, lastSeenAt: ev.lastSeenAt, sources: ev.sources };
    },
    monitoring: (ev) => {
      if (!this.board || ev.wardId !== this.board.ward.id) return;
      const tile = this.board.beds.find((t) => t.bedId === ev.bedId);
      if (!tile || tile.device?.id !== ev.deviceId) return;
      tile.monitoring = { state: ev.state, reason: ev.reason, signalLost: ev.signalLost, clockOffWarningMs: ev.clockOffWarningMs };
    },
    consent: (ev) => {
      const tile = this.#tileOfStay(ev);
      if (!tile) return;
      tile.consent = { camera: ev.camera, wearable: ev.wearable, byProxy: tile.consent?.byProxy ?? false, since: new Date().toISOString() };
      // Never keep showing numbers once consent is withdrawn.
      if (!ev.camera && !ev.wearable) {
        tile.latest = null;
        tile.sparkline = [];
      }
      // Fetch the exact consent record (proxy, time) without waiting.
      this.#scheduleRefetch();
    },
    // Admit, transfer or discharge (possibly by another charge nurse): the tiles change shape.
    stay: (ev) => {
      if (this.board && ev.wardId === this.board.ward.id) this.#scheduleRefetch();
    },
    reset: () => void this.load(),
  };
}
