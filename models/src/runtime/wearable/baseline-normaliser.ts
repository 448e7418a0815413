/**
 * Learns the patient's own resting baseline and turns window features into z-scores for the
 * distress model. People differ far more from each other than from their own calm state (resting
 * HR 55 vs 90 bpm, SCL 1 vs 15 uS), so deviation from one's own baseline is the signal.
 */
import type { WindowFeatures } from './window-features.ts';

export const BASELINE_FEATURES = ['hrBpm', 'rmssdMs', 'sclUs', 'scrPerMin', 'tempC', 'activityG'] as const;
export type BaselineFeature = (typeof BASELINE_FEATURES)[number];

/**
 * Floors on the baseline SD: a very steady calm period must not make a trivial change look huge.
 * Chosen near the within-person resting variability of each signal at 5 s resolution.
 */
export const SD_FLOOR: Record<BaselineFeature, number> = {
  hrBpm: 4,
  rmssdMs: 8,
  sclUs: 0.3,
  scrPerMin: 1.5,
  tempC: 0.25,
  activityG: 0.03,
};

/** Adult resting norms, used only until the personal baseline is ready (and reported as such). */
export const POPULATION_NORMS: Record<BaselineFeature, { mean: number; sd: number }> = {
  hrBpm: { mean: 75, sd: 12 },
  rmssdMs: { mean: 40, sd: 20 },
  sclUs: { mean: 4, sd: 3 },
  scrPerMin: { mean: 2, sd: 2 },
  tempC: { mean: 33, sd: 1 },
  activityG: { mean: 0.02, sd: 0.05 },
};

/**
 * After the baseline is learned it follows slow drift (time of day, fluids, room temperature) in
 * both directions, but only in vetted calm windows: an exponential update with this weight (~20 min
 * time constant at 5 s windows), so an episode of distress is never absorbed into the baseline.
 */
export const CALM_REFRESH_WEIGHT = 0.004;
/**
 * A window is vetted calm when none of the arousal signs (heart rate, skin conductance level, skin
 * conductance responses) is more than this many baseline SDs above the baseline and the arm is
 * still. The test is on the signals themselves, not on the model's output, so the baseline (and so
 * every z-score) does not depend on the model: training, evaluation and the agent see the same rows.
 * Falls (a sleeping patient's heart rate) are calm and are followed.
 */
export const CALM_MAX_AROUSAL_Z = 1.5;
export const CALM_MAX_ACTIVITY_Z = 2;
/** Arousal features the calm test reads. */
const AROUSAL_FEATURES = ['hrBpm', 'sclUs', 'scrPerMin'] as const;
/**
 * The baseline is trusted fully once this many windows (6 min at 5 s) built it: the first 2 min
 * learn it, vetted calm windows later confirm it. Confidence is lower while it is short.
 */
export const MATURE_BASELINE_WINDOWS = 72;

/** A window is usable for the baseline only when the sensor is on the wrist and mostly complete. */
export const MIN_BASELINE_COVERAGE = 0.6;

interface RunningStat {
  n: number;
  mean: number;
  /** Sum of squared deviations (Welford) while learning; variance after. */
  m2: number;
}

export type ZScores = Record<BaselineFeature, number | null>;

export class BaselineNormaliser {
  private readonly stats = new Map<BaselineFeature, RunningStat>();
  private validWindows = 0;
  /** Windows that built the baseline: the learning windows plus the vetted calm windows since. */
  private supportingWindows = 0;

  constructor(
    private readonly baselineWindows: number,
    private readonly zClip: number,
  ) {}

  isReady(): boolean {
    return this.validWindows >= this.baselineWindows;
  }

  /** How established the baseline is, 0..1: the share of MATURE_BASELINE_WINDOWS behind it (0 until ready). */
  maturity(): number {
    return this.isReady() ? Math.min(1, this.supportingWindows / MATURE_BASELINE_WINDOWS) : 0;
  }

  /** Whether a window is vetted calm against the learned baseline (false until ready). */
  isVettedCalm(f: WindowFeatures): boolean {
    if (!this.isReady() || !BaselineNormaliser.isUsableForBaseline(f)) return false;
    const z = this.normalise(f);
    if ((z.activityG ?? 0) > CALM_MAX_ACTIVITY_Z) return false;
    return AROUSAL_FEATURES.every((feature) => (z[feature] ?? 0) <= CALM_MAX_AROUSAL_Z);
  }

  /** Baseline mean of a feature, or null until the personal baseline is ready. */
  baselineMean(feature: BaselineFeature): number | null {
    const s = this.stats.get(feature);
    return this.isReady() && s && s.n > 0 ? s.mean : null;
  }

  private sdOf(feature: BaselineFeature, s: RunningStat): number {
    const variance = s.n > 1 ? s.m2 / (s.n - 1) : 0;
    return Math.max(Math.sqrt(variance), SD_FLOOR[feature], feature === 'sclUs' ? 0.1 * s.mean : 0);
  }

  normalise(f: WindowFeatures): ZScores {
    const z = {} as ZScores;
    for (const feature of BASELINE_FEATURES) {
      const x = f[feature];
      const s = this.stats.get(feature);
      let ref: { mean: number; sd: number };
      if (this.isReady() && s && s.n > 1) ref = { mean: s.mean, sd: this.sdOf(feature, s) };
      else ref = POPULATION_NORMS[feature];
      z[feature] = x === null ? null : Math.max(-this.zClip, Math.min(this.zClip, (x - ref.mean) / ref.sd));
    }
    return z;
  }

  static isUsableForBaseline(f: WindowFeatures): boolean {
    return f.onWrist && f.coverage >= MIN_BASELINE_COVERAGE && f.hrBpm !== null;
  }

  /** Feeds one window: learns from the first usable windows, then refreshes slowly in vetted calm ones. */
  observe(f: WindowFeatures): void {
    if (!BaselineNormaliser.isUsableForBaseline(f)) return;
    if (!this.isReady()) {
      for (const feature of BASELINE_FEATURES) {
        const x = f[feature];
        if (x === null) continue;
        const s = this.stats.get(feature) ?? { n: 0, mean: 0, m2: 0 };
        s.n += 1;
        const delta = x - s.mean;
        s.mean += delta / s.n;
        s.m2 += delta * (x - s.mean);
        this.stats.set(feature, s);
      }
      this.validWindows += 1;
      this.supportingWindows += 1;
      return;
    }
    if (!this.isVettedCalm(f)) return;
    this.supportingWindows += 1;
    for (const feature of BASELINE_FEATURES) {
      const x = f[feature];
      const s = this.stats.get(feature);
      if (x === null || !s || s.n < 2) continue;
      const w = CALM_REFRESH_WEIGHT;
      const variance = s.m2 / (s.n - 1);
      const delta = x - s.mean;
      s.mean += w * delta;
      // Exponentially weighted variance, stored back in Welford form so sdOf stays one formula.
      s.m2 = (1 - w) * (variance + w * delta * delta) * (s.n - 1);
    }
  }
}
