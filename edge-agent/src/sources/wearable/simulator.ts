/**
 * Deterministic simulator of plausible wrist-wearable streams (E4-like rates: HR 1 Hz, IBI per
 * beat, EDA 4 Hz, TEMP 4 Hz, ACC 32 Hz) with scripted distress episodes. The same seed and the
 * same episodes always give the same samples, whatever chunks they are requested in, because each
 * stream has its own PRNG and is generated strictly in time order.
 *
 * Physiology under a distress episode of intensity 1 (sympathetic arousal, vagal withdrawal):
 * HR +25 bpm, respiratory sinus arrhythmia and beat noise shrink (RMSSD roughly a third), SCL
 * +1.5 uS with SCRs rising from ~1.5/min to ~9/min, wrist temperature -0.5 degC.
 */
import type { DistressEpisode } from '../../config.ts';
import type { OffsetSample, OffsetSampleGenerator } from '@attune/models';
import { mulberry32 } from '@attune/models/rng';

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface SimulatorOptions {
  seed: number;
  episodes: DistressEpisode[];
  /** Finite length (e.g. 600 s for a recording) or Infinity for a live source. */
  durationS?: number;
}

/** Per-patient resting values, drawn from the seed so beds differ. */
export interface SimulatedPatient {
  hrRestBpm: number;
  sclRestUs: number;
  tempRestC: number;
  /** Calm SCRs per minute. */
  scrRestPerMin: number;
}

const HR_HZ = 1;
const EDA_HZ = 4;
const TEMP_HZ = 4;
const ACC_HZ = 32;
const RAMP_UP_S = 15;
const RAMP_DOWN_S = 30;
const BREATH_PERIOD_S = 4.2;

export class WearableSimulator implements OffsetSampleGenerator {
  readonly durationS: number;
  readonly patient: SimulatedPatient;
  private readonly episodes: DistressEpisode[];
  private readonly beatRand: () => number;
  private readonly hrRand: () => number;
  private readonly edaRand: () => number;
  private readonly tempRand: () => number;
  private readonly accRand: () => number;
  private readonly firstBeatS: number;
  private pendingIbi: { endS: number; ibiS: number } | null = null;
  private nextHrIndex = 0;
  private nextEdaIndex = 0;
  private nextTempIndex = 0;
  private nextAccIndex = 0;
  private scrs: { onsetS: number; amplitudeUs: number }[] = [];
  private movement: { startS: number; endS: number; amplitudeG: number } | null = null;
  private nextMovementS: number;

  constructor(options: SimulatorOptions) {
    this.durationS = options.durationS ?? Number.POSITIVE_INFINITY;
    this.episodes = options.episodes;
    const base = (options.seed >>> 0) * 7919;
    const patientRand = mulberry32(base + 1);
    this.patient = {
      hrRestBpm: 62 + patientRand() * 18,
      sclRestUs: 1.5 + patientRand() * 4,
      tempRestC: 32.8 + patientRand() * 1.2,
      scrRestPerMin: 1 + patientRand(),
    };
    this.beatRand = mulberry32(base + 2);
    this.hrRand = mulberry32(base + 3);
    this.edaRand = mulberry32(base + 4);
    this.tempRand = mulberry32(base + 5);
    this.accRand = mulberry32(base + 6);
    this.firstBeatS = 0.3 + this.beatRand() * 0.5;
    this.nextMovementS = 60 + this.accRand() * 120;
  }

  /** Distress intensity 0..1 at time t: episodes ramp up over 15 s and fade over 30 s. */
  intensityAt(tS: number): number {
    let total = 0;
    for (const e of this.episodes) {
      const endS = e.startS + e.durationS;
      let envelope = 0;
      if (tS >= e.startS && tS < endS) envelope = Math.min(1, (tS - e.startS) / RAMP_UP_S);
      else if (tS >= endS && tS < endS + RAMP_DOWN_S) envelope = 1 - (tS - endS) / RAMP_DOWN_S;
      total += e.intensity * envelope;
    }
    return Math.min(1, total);
  }

  /** Heart rate without beat-to-beat variation: rest + slow drift + distress. */
  private hrTrendBpm(tS: number): number {
    return this.patient.hrRestBpm + 1.5 * Math.sin((2 * Math.PI * tS) / 310) + 25 * this.intensityAt(tS);
  }

  samplesBetween(fromS: number, toS: number): OffsetSample[] {
    const endS = Math.min(toS, this.durationS);
    const out: OffsetSample[] = [];
    this.beats(endS, out);
    this.nextHrIndex = eachTick(this.nextHrIndex, HR_HZ, endS, (t) => out.push(this.hrAt(t)));
    this.nextEdaIndex = eachTick(this.nextEdaIndex, EDA_HZ, endS, (t) => out.push(this.edaAt(t)));
    this.nextTempIndex = eachTick(this.nextTempIndex, TEMP_HZ, endS, (t) => out.push(this.tempAt(t)));
    this.nextAccIndex = eachTick(this.nextAccIndex, ACC_HZ, endS, (t) => out.push(this.accAt(t)));
    // Streams are generated independently up to endS; merge them into time order.
    return out.filter((s) => s.offsetS > fromS).sort((a, b) => a.offsetS - b.offsetS);
  }

  /** The next detected interval: it ends at `endS` (the beat that closes it). */
  private nextIbi(startS: number): { endS: number; ibiS: number } {
    const i = this.intensityAt(startS);
    const meanIbiS = 60 / this.hrTrendBpm(startS);
    // Respiratory sinus arrhythmia and beat noise both shrink with vagal withdrawal.
    const rsaS = 0.035 * (1 - 0.7 * i) * Math.sin((2 * Math.PI * startS) / BREATH_PERIOD_S);
    const noiseS = 0.012 * (1 - 0.6 * i) * gaussian(this.beatRand);
    let ibiS = meanIbiS + rsaS + noiseS;
    // About 1.5% of detected intervals span a missed beat, as wrist PPG does; the feature filter must drop them.
    if (this.beatRand() < 0.015) ibiS += meanIbiS;
    return { endS: startS + ibiS, ibiS: Math.round(ibiS * 1e6) / 1e6 };
  }

  private beats(endS: number, out: OffsetSample[]) {
    this.pendingIbi ??= this.nextIbi(this.firstBeatS);
    while (this.pendingIbi.endS <= endS) {
      out.push({ kind: 'ibi', offsetS: this.pendingIbi.endS, ibiS: this.pendingIbi.ibiS });
      this.pendingIbi = this.nextIbi(this.pendingIbi.endS);
    }
  }

  private hrAt(t: number): OffsetSample {
    return { kind: 'hr', offsetS: t, hrBpm: Math.round((this.hrTrendBpm(t) + 0.8 * gaussian(this.hrRand)) * 100) / 100 };
  }

  private edaAt(t: number): OffsetSample {
    const i = this.intensityAt(t);
    const ratePerMin = this.patient.scrRestPerMin + 8 * i;
    if (this.edaRand() < ratePerMin / 60 / EDA_HZ) {
      this.scrs.push({ onsetS: t, amplitudeUs: 0.08 + this.edaRand() * (0.25 + 0.3 * i) });
    }
    this.scrs = this.scrs.filter((s) => t - s.onsetS < 30);
    let phasicUs = 0;
    for (const s of this.scrs) {
      const dt = t - s.onsetS;
      // Bi-exponential SCR shape (rise ~1 s, recovery ~4 s), peak normalised to the amplitude.
      phasicUs += (s.amplitudeUs * (Math.exp(-dt / 4) - Math.exp(-dt / 0.75))) / 0.53;
    }
    const tonicUs = this.patient.sclRestUs + 1.5 * i + 0.15 * Math.sin((2 * Math.PI * t) / 420);
    const edaUs = Math.max(0.01, tonicUs + phasicUs + 0.004 * gaussian(this.edaRand));
    return { kind: 'eda', offsetS: t, edaUs: Math.round(edaUs * 1e4) / 1e4 };
  }

  private tempAt(t: number): OffsetSample {
    const tempC =
      this.patient.tempRestC - 0.5 * this.intensityAt(t - 20) + 0.08 * Math.sin((2 * Math.PI * t) / 500) + 0.02 * gaussian(this.tempRand);
    return { kind: 'temp', offsetS: t, tempC: Math.round(tempC * 100) / 100 };
  }

  private accAt(t: number): OffsetSample {
    // Occasional repositioning in bed: a 2-4 s burst every 1-3 minutes.
    if (!this.movement && t >= this.nextMovementS) {
      this.movement = { startS: t, endS: t + 2 + this.accRand() * 2, amplitudeG: 0.1 + this.accRand() * 0.2 };
    }
    let moveG = 0;
    if (this.movement) {
      moveG = this.movement.amplitudeG * Math.sin((2 * Math.PI * (t - this.movement.startS)) / 0.8);
      if (t >= this.movement.endS) {
        this.movement = null;
        this.nextMovementS = t + 60 + this.accRand() * 120;
      }
    }
    return {
      kind: 'acc',
      offsetS: t,
      xG: 0.1 + moveG * 0.6 + 0.01 * gaussian(this.accRand),
      yG: -0.2 + moveG * 0.4 + 0.01 * gaussian(this.accRand),
      zG: 0.97 + moveG * 0.5 + 0.01 * gaussian(this.accRand),
    };
  }
}

/** Calls `sampleAt` for each tick of a fixed-rate stream from tick `next` up to `endS`, in order; returns the first tick still to come. */
function eachTick(next: number, hz: number, endS: number, sampleAt: (tS: number) => void): number {
  for (; next / hz <= endS; next += 1) sampleAt(next / hz);
  return next;
}
