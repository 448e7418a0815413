/** Builds the configured wearable source (closed; the consent gate opens it). */
import { BleHrmSource } from './ble-hrm-source.ts';
import type { WearableSourceConfig } from '../../config.ts';
import type { AgentLogger } from '../../log.ts';
import { recordedE4 } from '@attune/models';
import { RealtimePlayer } from './realtime-player.ts';
import { WearableSimulator } from './simulator.ts';
import type { WearableSource } from './wearable-source.ts';

export function createWearableSource(config: WearableSourceConfig, log?: AgentLogger): WearableSource | null {
  switch (config.kind) {
    case 'none':
      return null;
    case 'e4-replay': {
      // Parse once at start so a bad recording fails the agent at boot, not at the first consent.
      const samples = recordedE4(config.dir);
      return new RealtimePlayer(samples, { description: `E4 replay of ${config.dir}`, loop: config.loop });
    }
    case 'ble-hrm':
      // The BLE stack is an optional dependency, loaded only when the source is opened.
      return new BleHrmSource({ device: config.device, log });
    case 'simulator':
      // A fresh simulator per open so every opening starts the script from t = 0.
      return new ReopeningSource(
        () =>
          new RealtimePlayer(new WearableSimulator({ seed: config.seed, episodes: config.episodes }), {
            description: `simulator seed ${config.seed}`,
            loop: false,
          }),
      );
  }
}

/** Wraps a source factory so each open() starts from a fresh instance (the simulator is stateful). */
class ReopeningSource implements WearableSource {
  private inner: WearableSource | null = null;
  readonly description: string;
  constructor(private readonly make: () => WearableSource) {
    this.description = make().description;
  }
  open(onSamples: Parameters<WearableSource['open']>[0]): void {
    if (this.inner) return;
    this.inner = this.make();
    this.inner.open(onSamples);
  }
  close(): void {
    this.inner?.close();
    this.inner = null;
  }
  state() {
    return this.inner?.state() ?? 'stopped';
  }
}
