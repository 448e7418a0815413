/**
 * Plays an offset-based generator (a recording or the simulator) in real time: every tick it emits
 * the samples whose offset has come due, with timestamps remapped to now. With `loop`, a finite
 * recording starts again from its beginning when it ends.
 */
import { type SourceState, type WearableSource } from './wearable-source.ts';
import { offsetToClock, type OffsetSampleGenerator, type WearableSample } from '@attune/models';

export interface RealtimePlayerOptions {
  description: string;
  loop: boolean;
  /** How often due samples are flushed; small against the window length. */
  tickMs?: number;
  now?: () => number;
}

export class RealtimePlayer implements WearableSource {
  readonly description: string;
  private timer: NodeJS.Timeout | null = null;
  private current: SourceState = 'stopped';

  constructor(
    private readonly generator: OffsetSampleGenerator,
    private readonly options: RealtimePlayerOptions,
  ) {
    this.description = options.description;
  }

  open(onSamples: (samples: WearableSample[]) => void): void {
    if (this.timer) return;
    const now = this.options.now ?? Date.now;
    // Every open starts the recording from its beginning: playback position is not kept across consent changes.
    let passStartMs = now();
    let playedS = -1e-9;
    this.current = 'streaming';
    const tick = () => {
      const elapsedS = (now() - passStartMs) / 1000;
      const out: WearableSample[] = [];
      const duration = this.generator.durationS;
      let upToS = Math.min(elapsedS, duration);
      for (const s of this.generator.samplesBetween(playedS, upToS)) out.push(offsetToClock(s, passStartMs));
      playedS = upToS;
      if (elapsedS >= duration) {
        if (this.options.loop && Number.isFinite(duration) && duration > 0) {
          passStartMs += duration * 1000;
          playedS = -1e-9;
          upToS = (now() - passStartMs) / 1000;
          for (const s of this.generator.samplesBetween(playedS, upToS)) out.push(offsetToClock(s, passStartMs));
          playedS = upToS;
        } else {
          this.stopTimer();
          this.current = 'stopped';
        }
      }
      if (out.length > 0) onSamples(out);
    };
    this.timer = setInterval(tick, this.options.tickMs ?? 100);
  }

  close(): void {
    this.stopTimer();
    this.current = 'stopped';
  }

  state(): SourceState {
    return this.current;
  }

  private stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
