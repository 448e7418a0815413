/**
 * The monitoring watchdog: makes every stall loud. A quiet board must mean quiet patients, never
 * "nothing is being stored". Every few seconds it looks at each device whose bed has a patient who
 * consented and which is online (it should be delivering a window every few seconds), and:
 *
 * - opens a per-bed "monitoring interrupted" technical alert when none of its windows has been
 *   stored for INGEST_STALL_S, whatever the reason (its windows are refused, its clock is off,
 *   ingest or the database is stuck, or it sends nothing), naming the reason in words, and clears
 *   it when windows are stored again;
 * - opens a "signal lost" technical alert when the agent reports a consented source failing
 *   (wristband off the wrist or silent, camera or sensor error) for SIGNAL_LOST_AFTER_S;
 * - tells `/readyz` when ingest as a whole is stalled.
 *
 * What it concludes per device is kept for the board (`forDevice`) and pushed live on change.
 */
import type { MonitoringEvent } from '@attune/protocol/api';
import type { DeviceRepository, MonitoredDevice } from '../repositories/device.repository.ts';
import type { AlertService } from './alert.service.ts';
import type { Explanation } from '../domain/alert-types.ts';
import {
  describeInterruption,
  explainMonitoringInterrupted,
  explainSignalLost,
  type InterruptionReason,
} from '../domain/technical-explanation.ts';
import { formatElapsed } from '@attune/protocol';
import type { IngestService } from './ingest.service.ts';
import type { LiveEvents } from '../platform/live-events.ts';

export type MonitoringState = MonitoringEvent['state'];

/** One device as the board shows it (and the live stream's `monitoring` event carries it). */
export type DeviceMonitoring = MonitoringEvent;

/** A device clock off by more than this is shown on the board and the devices page. */
export const CLOCK_WARN_MS = 10_000;

const FAILING_SOURCE_STATES = new Set(['no_signal', 'error']);

export class MonitoringService {
  private readonly startedAtMs: number;
  private readonly onlineSinceMs = new Map<string, number>();
  private readonly failingSinceMs = new Map<string, number>();
  private readonly byDevice = new Map<string, DeviceMonitoring>();
  /** Whether, at the last check, no consented online device had a window stored for INGEST_STALL_S. */
  private silentWard: { devices: number; forS: number } | null = null;
  /** Devices whose alert of each kind has its condition active (loaded at the first check), so clearing costs no query. */
  private active: Record<'monitoring_interrupted' | 'signal_lost', Set<string>> | null = null;

  constructor(
    private readonly deps: {
      devices: DeviceRepository;
      ingest: IngestService;
      alerts: AlertService;
      live: LiveEvents;
    },
    private readonly options: {
      stallMs: number;
      signalLostMs: number;
      /**
       * Several instances: every instance works out each device's state for its own board, but only
       * the ward's owner raises and clears the alerts and sends the live event.
       */
      ownsWard?: (wardId: string | null) => boolean;
    },
    now = new Date(),
  ) {
    this.startedAtMs = now.getTime();
  }

  /** A ward was taken over: which alerts are active is read again from the database. */
  reloadActiveAlerts(): void {
    this.active = null;
  }

  forDevice(deviceId: string): DeviceMonitoring | null {
    return this.byDevice.get(deviceId) ?? null;
  }

  /**
   * Why monitoring as a whole is stalled, or null: a message waits too long to be stored, or no
   * window at all has been stored for INGEST_STALL_S while consented devices are online.
   */
  stall(now: Date): string | null {
    const ingest = this.deps.ingest.stall(now);
    if (ingest) return `ingest stalled: ${ingest}`;
    if (this.silentWard) {
      return `no reading stored for ${formatElapsed(this.silentWard.forS)} from any of the ${this.silentWard.devices} consented devices online`;
    }
    return null;
  }

  /** Run periodically. One device's failure (say, writing its alert) does not stop the others being checked; it is thrown at the end. */
  async check(now: Date): Promise<void> {
    this.active ??= {
      monitoring_interrupted: new Set(await this.deps.alerts.devicesWithActiveCondition('monitoring_interrupted')),
      signal_lost: new Set(await this.deps.alerts.devicesWithActiveCondition('signal_lost')),
    };
    const devices = await this.deps.devices.listForMonitoring(now);
    const nowMs = now.getTime();
    let expected = 0;
    let newestStoredMs = -Infinity;
    const failures: unknown[] = [];
    for (const d of devices) {
      const isOnline = d.state === 'online';
      if (isOnline && !this.onlineSinceMs.has(d.deviceId)) this.onlineSinceMs.set(d.deviceId, nowMs);
      if (!isOnline) this.onlineSinceMs.delete(d.deviceId);
      const isExpected = isOnline && d.consent !== null && (d.consent.camera || d.consent.wearable);
      if (isExpected) {
        expected += 1;
        newestStoredMs = Math.max(newestStoredMs, this.lastStoredMs(d), this.graceFromMs(d));
      }
      await this.checkDevice(d, isExpected, now).catch((error: unknown) => failures.push(error));
    }
    const silentMs = nowMs - newestStoredMs;
    this.silentWard = expected > 0 && silentMs >= this.options.stallMs ? { devices: expected, forS: Math.round(silentMs / 1000) } : null;
    // Devices no longer active or on a bed: forget them.
    const present = new Set(devices.map((d) => d.deviceId));
    for (const id of this.byDevice.keys()) if (!present.has(id)) this.byDevice.delete(id);
    if (failures.length > 0)
      throw new AggregateError(failures, `monitoring check failed for ${failures.length} device(s): ${String(failures[0])}`);
  }

  /**
   * When the device's windows were last stored: the later of the database's last score (its receive
   * time, which survives a restart) and this process's last commit for it (a window received during
   * a stall and stored only now means monitoring resumed now).
   */
  private lastStoredMs(d: MonitoredDevice): number {
    return Math.max(d.lastScoreAt?.getTime() ?? -Infinity, this.deps.ingest.lastCommittedAt(d.deviceId)?.getTime() ?? -Infinity);
  }

  /** Windows are due from a device only some time after it came online, its patient consented, or this server started. */
  private graceFromMs(d: MonitoredDevice): number {
    return Math.max(this.startedAtMs, this.onlineSinceMs.get(d.deviceId) ?? -Infinity, d.consent?.since.getTime() ?? -Infinity);
  }

  private async checkDevice(d: MonitoredDevice, isExpected: boolean, now: Date): Promise<void> {
    const nowMs = now.getTime();
    const scope = { deviceId: d.deviceId, bedId: d.bedId, wardId: d.wardId, stayId: null };
    let state: MonitoringState = 'not_expected';
    let reason: string | null = null;
    let signalLost: DeviceMonitoring['signalLost'] = [];
    let interruption: InterruptionReason | null = null;

    if (isExpected) {
      const lastStoredMs = this.lastStoredMs(d);
      const silentMs = nowMs - Math.max(lastStoredMs, this.graceFromMs(d));
      if (silentMs >= this.options.stallMs) {
        interruption = this.reasonFor(d.deviceId, lastStoredMs);
        state = 'interrupted';
        reason = describeInterruption(interruption);
      } else state = 'monitoring';
      signalLost = this.lostSources(d, nowMs);
    } else {
      for (const source of ['camera', 'wearable'] as const) this.failingSinceMs.delete(`${d.deviceId}:${source}`);
    }

    // The bed's tile first, then the alerts about it: the board never lags behind an alert (an
    // alert already cleared while the tile still says "signal lost"), and a failing alert write
    // cannot keep the board from showing the bed's state.
    const owner = this.options.ownsWard?.(d.wardId) ?? true;
    this.showOnBoard(d, state, reason, signalLost, owner);
    if (!owner) return;
    if (interruption !== null) {
      await this.raise('monitoring_interrupted', scope, explainMonitoringInterrupted(d.deviceId, interruption, d.lastScoreAt, now), now);
    } else await this.clear('monitoring_interrupted', d.deviceId, now);
    if (signalLost.length > 0) await this.raise('signal_lost', scope, explainSignalLost(d.deviceId, signalLost), now);
    else await this.clear('signal_lost', d.deviceId, now);
  }

  private showOnBoard(
    d: MonitoredDevice,
    state: MonitoringState,
    reason: string | null,
    signalLost: DeviceMonitoring['signalLost'],
    publish: boolean,
  ): void {
    const offset = d.clockOffsetMs;
    const next: DeviceMonitoring = {
      deviceId: d.deviceId,
      bedId: d.bedId,
      wardId: d.wardId,
      state,
      reason,
      signalLost,
      clockOffWarningMs: offset !== null && Math.abs(offset) > CLOCK_WARN_MS ? offset : null,
    };
    const previous = this.byDevice.get(d.deviceId);
    this.byDevice.set(d.deviceId, next);
    if (publish && (!previous || !sameForTheBoard(previous, next))) this.deps.live.publish('monitoring', d.wardId, next);
  }

  private async raise(
    kind: 'monitoring_interrupted' | 'signal_lost',
    scope: Parameters<AlertService['raiseTechnical']>[1],
    explanation: Explanation,
    now: Date,
  ): Promise<void> {
    await this.deps.alerts.raiseTechnical(kind, scope, explanation, now);
    this.active![kind].add(scope.deviceId);
  }

  private async clear(kind: 'monitoring_interrupted' | 'signal_lost', deviceId: string, now: Date): Promise<void> {
    if (!this.active![kind].delete(deviceId)) return;
    await this.deps.alerts.clearTechnical(kind, deviceId, now);
  }

  /** The most telling reason a device's windows are not stored: refused, arriving but not stored, or not arriving. */
  private reasonFor(deviceId: string, lastStoredMs: number): InterruptionReason {
    const rejection = this.deps.ingest.lastRejectionOf(deviceId);
    if (rejection && rejection.at.getTime() > lastStoredMs) {
      if (rejection.reason === 'future_window') return { code: 'clock_ahead', skewS: rejection.skewS ?? 0 };
      if (rejection.reason === 'stale_window') return { code: 'clock_behind', skewS: rejection.skewS ?? 0 };
      return { code: 'refused', rejection: rejection.reason };
    }
    const received = this.deps.ingest.lastScoresReceivedAt(deviceId);
    if (received && received.getTime() > lastStoredMs) return { code: 'storage_stalled' };
    return { code: 'no_windows' };
  }

  /** Consented sources the agent reports as failing, with how long; only those failing for SIGNAL_LOST_AFTER_S are returned. */
  private lostSources(d: MonitoredDevice, nowMs: number): DeviceMonitoring['signalLost'] {
    const lost: DeviceMonitoring['signalLost'] = [];
    for (const source of ['camera', 'wearable'] as const) {
      const key = `${d.deviceId}:${source}`;
      const sourceState = d.sources?.[source];
      const failing = d.consent?.[source] === true && sourceState !== undefined && FAILING_SOURCE_STATES.has(sourceState);
      if (!failing) {
        this.failingSinceMs.delete(key);
        continue;
      }
      const since = this.failingSinceMs.get(key) ?? nowMs;
      this.failingSinceMs.set(key, since);
      const forMs = nowMs - since;
      if (forMs >= this.options.signalLostMs) lost.push({ source, state: sourceState, forS: Math.round(forMs / 1000) });
    }
    return lost;
  }
}

/** Durations tick every check; the board needs an event only when something it shows changed. */
function sameForTheBoard(a: DeviceMonitoring, b: DeviceMonitoring): boolean {
  const sources = (m: DeviceMonitoring) => m.signalLost.map((s) => `${s.source}:${s.state}`).join(',');
  return (
    a.state === b.state &&
    a.reason === b.reason &&
    sources(a) === sources(b) &&
    a.bedId === b.bedId &&
    (a.clockOffWarningMs === null) === (b.clockOffWarningMs === null) &&
    Math.abs((a.clockOffWarningMs ?? 0) - (b.clockOffWarningMs ?? 0)) < 1000
  );
}
