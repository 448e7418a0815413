/**
 * The small audio interface the alarm needs, and its Web Audio implementation: every pulse is an
 * OscillatorNode with a periodic wave of the pattern's harmonics, shaped by a GainNode envelope
 * (linear rise and fall), scheduled on the AudioContext's own clock so timer jitter never bends a
 * burst. No audio files.
 */
import type { AlarmPattern } from './patterns';

/** `unavailable`: this browser has no Web Audio. `suspended`: blocked by the autoplay policy until a click. */
export type AudioState = 'running' | 'suspended' | 'closed' | 'unavailable';

export interface AlarmVoice {
  readonly state: AudioState;
  /** Plays one burst of the pattern, starting now. */
  playBurst(pattern: AlarmPattern): void;
  /** Cuts every pulse already scheduled. */
  silence(): void;
  /** Asks the browser to let sound play; works inside a user gesture. */
  resume(): Promise<void>;
  /** Calls back on every change of `state`; returns the unsubscribe function. */
  onStateChange(listener: (state: AudioState) => void): () => void;
}

/** Loud enough to hear across a station, leaving headroom so 5 harmonics never clip. */
const PEAK_GAIN = 0.25;

export class WebAudioVoice implements AlarmVoice {
  #context: AudioContext | null;
  #waves = new Map<AlarmPattern['priority'], PeriodicWave>();
  #scheduled = new Set<OscillatorNode>();

  constructor() {
    const Ctor = typeof window === 'undefined' ? undefined : window.AudioContext;
    // Created at once, without a gesture, so the page can tell whether the browser blocks it.
    this.#context = Ctor ? new Ctor({ latencyHint: 'interactive' }) : null;
  }

  get state(): AudioState {
    return this.#context ? (this.#context.state as AudioState) : 'unavailable';
  }

  /** The context itself, for the browser tests to read its state through the page. */
  get context(): AudioContext | null {
    return this.#context;
  }

  playBurst(pattern: AlarmPattern): void {
    const ctx = this.#context;
    if (!ctx || ctx.state !== 'running') return;
    const start = ctx.currentTime + 0.02;
    for (const pulse of pattern.pulses) {
      const at = start + pulse.startMs / 1000;
      const end = at + pulse.durationMs / 1000;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(PEAK_GAIN, at + pattern.riseMs / 1000);
      gain.gain.setValueAtTime(PEAK_GAIN, end - pattern.fallMs / 1000);
      gain.gain.linearRampToValueAtTime(0, end);
      gain.connect(ctx.destination);
      const osc = ctx.createOscillator();
      osc.setPeriodicWave(this.#wave(ctx, pattern));
      osc.frequency.value = pattern.fundamentalHz;
      osc.connect(gain);
      osc.onended = () => {
        this.#scheduled.delete(osc);
        gain.disconnect();
      };
      osc.start(at);
      osc.stop(end);
      this.#scheduled.add(osc);
    }
  }

  silence(): void {
    for (const osc of this.#scheduled) {
      try {
        osc.stop();
      } catch {
        // Not started yet in some engines: disconnecting below is enough.
      }
      osc.disconnect();
    }
    this.#scheduled.clear();
  }

  async resume(): Promise<void> {
    if (this.#context && this.#context.state === 'suspended') await this.#context.resume();
  }

  onStateChange(listener: (state: AudioState) => void): () => void {
    const ctx = this.#context;
    if (!ctx) return () => {};
    const handler = () => listener(this.state);
    ctx.addEventListener('statechange', handler);
    return () => ctx.removeEventListener('statechange', handler);
  }

  #wave(ctx: AudioContext, pattern: AlarmPattern): PeriodicWave {
    let wave = this.#waves.get(pattern.priority);
    if (!wave) {
      // Index 0 is the DC term; the sine coefficients carry the fundamental and its harmonics.
      const imag = new Float32Array([0, ...pattern.harmonicAmplitudes]);
      wave = ctx.createPeriodicWave(new Float32Array(imag.length), imag);
      this.#waves.set(pattern.priority, wave);
    }
    return wave;
  }
}
