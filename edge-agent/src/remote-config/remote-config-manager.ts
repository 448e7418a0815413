/**
 * Remote configuration in the running agent: takes each message from the config topic in turn,
 * decides (remote-config-decision.ts), applies an accepted one without a restart (window length,
 * which sources may run, camera device and frame rate), keeps it in the data folder, and holds the
 * result the status reports. An empty payload clears the retained message: the agent goes back to
 * its local file. A configuration is applied whole or refused; a camera that cannot be restarted
 * with the new settings is put back as it was and the configuration refused (`apply_failed`).
 */
import type { DeviceConfig, RemoteConfigResult } from '@attune/protocol';
import type { AgentLogger } from '../log.ts';
import { decideConfig, decideRemoteConfig, type HandledVersions, type LocalCapabilities } from './remote-config-decision.ts';
import type { RemoteConfigStore } from './remote-config-store.ts';

/** What a configuration changes; the local file gives the values without one. */
export interface EffectiveSettings {
  windowMs: number;
  /** Which sources may run at all (consent still gates each). */
  sources: { camera: boolean; wearable: boolean };
  /** null: the local file's camera input. */
  camera: { device: string | null; fps: number };
}

/** Where settings take effect in the running agent. */
export interface RemoteConfigTargets {
  setWindowMs(windowMs: number): void;
  setSources(sources: EffectiveSettings['sources']): void;
  /** Restarts the camera with these settings (only called when they change); throws when it cannot. */
  setCamera(camera: EffectiveSettings['camera']): Promise<void>;
}

/**
 * After subscribing, a retained configuration arrives at once. When none has come this long after
 * the subscription was acknowledged, the retained message was cleared while the agent was away.
 */
export const RETAINED_GRACE_MS = 5000;

export function settingsOf(config: DeviceConfig): EffectiveSettings {
  return { windowMs: config.windowMs, sources: { ...config.sources }, camera: { ...config.camera } };
}

export class RemoteConfigManager {
  private inForce: DeviceConfig | null = null;
  private settings: EffectiveSettings;
  private readonly handled: HandledVersions = { applied: 0, refused: 0 };
  private lastResult: RemoteConfigResult | undefined;
  /** Messages are handled one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private graceTimer: NodeJS.Timeout | null = null;
  /** A message came on the config topic since the last subscription was sent. */
  private heardSinceSubscribing = false;

  constructor(
    private readonly o: {
      local: LocalCapabilities;
      /** The local file's settings. */
      defaults: EffectiveSettings;
      targets: RemoteConfigTargets;
      store: RemoteConfigStore;
      log: AgentLogger;
      /** The result the status reports changed. */
      onResult: () => void;
      graceMs?: number;
    },
  ) {
    this.settings = o.defaults;
  }

  /** At start: the configuration kept in the data folder, checked again against this machine (a model may have been updated since). */
  async start(): Promise<void> {
    const { config, problem } = this.o.store.load();
    if (problem) this.o.log.warn('stored remote config ignored', { problem });
    if (!config) return;
    await this.enqueue(() => this.decideAndApply(decideConfig(config, this.handled, this.o.local), 'stored'));
  }

  /** Raw bytes from the config topic. Never logs the payload: only versions and reasons. */
  handlePayload(payload: Buffer): Promise<void> {
    this.heardSinceSubscribing = true;
    this.cancelGrace();
    return this.enqueue(async () => {
      if (payload.byteLength === 0) return this.clear('cleared by the server');
      await this.decideAndApply(decideRemoteConfig(payload, this.handled, this.o.local), 'received');
    });
  }

  /** (Re)subscribing to the config topic: the broker sends its retained configuration again, if it holds one. */
  subscribing(): void {
    this.heardSinceSubscribing = false;
    this.cancelGrace();
  }

  /** The subscription was acknowledged: without a retained configuration soon, the one in force was cleared while the agent was away. */
  subscribed(): void {
    this.cancelGrace();
    if (this.heardSinceSubscribing) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (this.inForce && !this.heardSinceSubscribing)
        void this.enqueue(() => this.clear('no retained configuration at the broker (cleared while away)'));
    }, this.o.graceMs ?? RETAINED_GRACE_MS);
    this.graceTimer.unref?.();
  }

  /** What the status says: the last configuration handled and whether it was applied; undefined with none. */
  result(): RemoteConfigResult | undefined {
    return this.lastResult;
  }

  current(): EffectiveSettings {
    return this.settings;
  }

  stop(): Promise<void> {
    this.cancelGrace();
    return this.queue;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((err: unknown) => this.o.log.error('remote config failed', { error: (err as Error).message }));
    return this.queue;
  }

  private cancelGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private async decideAndApply(decision: ReturnType<typeof decideConfig>, origin: 'stored' | 'received'): Promise<void> {
    if (decision.kind === 'ignore') return;
    if (decision.kind === 'refuse') {
      this.handled.refused = Math.max(this.handled.refused, decision.result.version);
      this.report(decision.result);
      this.o.log.warn('remote config refused', {
        version: decision.result.version,
        reason: decision.result.reason,
        field: decision.result.field,
      });
      if (origin === 'stored') this.o.store.clear();
      return;
    }
    const { config } = decision;
    try {
      await this.applySettings(settingsOf(config));
    } catch (err) {
      this.handled.refused = Math.max(this.handled.refused, config.version);
      this.report({ version: config.version, state: 'refused', reason: 'apply_failed', field: 'camera' });
      this.o.log.error('remote config could not be applied; previous settings kept', {
        version: config.version,
        error: (err as Error).message,
      });
      return;
    }
    this.inForce = config;
    this.handled.applied = config.version;
    if (origin === 'received') this.o.store.save(config);
    this.report({ version: config.version, state: 'applied', reason: null, field: null });
    this.o.log.info('remote config applied', { version: config.version, windowMs: config.windowMs, ...config.sources });
  }

  private async clear(why: string): Promise<void> {
    this.o.store.clear();
    if (!this.inForce && this.lastResult === undefined) return;
    await this.applySettings(this.o.defaults);
    this.inForce = null;
    this.report(undefined);
    this.o.log.info('remote config cleared: back to the local file', { why });
  }

  /** The camera first (the only step that can fail: then the old camera is put back and nothing else changes). */
  private async applySettings(next: EffectiveSettings): Promise<void> {
    const before = this.settings;
    if (next.camera.device !== before.camera.device || next.camera.fps !== before.camera.fps) {
      try {
        await this.o.targets.setCamera(next.camera);
      } catch (err) {
        await this.o.targets.setCamera(before.camera).catch(() => undefined);
        throw err;
      }
    }
    if (next.windowMs !== before.windowMs) this.o.targets.setWindowMs(next.windowMs);
    if (next.sources.camera !== before.sources.camera || next.sources.wearable !== before.sources.wearable)
      this.o.targets.setSources(next.sources);
    this.settings = next;
  }

  private report(result: RemoteConfigResult | undefined): void {
    this.lastResult = result;
    this.o.onResult();
  }
}
