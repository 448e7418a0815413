import { describe, expect, it } from 'vitest';
import type { WearableSample } from './samples.ts';
import { BaselineNormaliser, MATURE_BASELINE_WINDOWS, SD_FLOOR } from './baseline-normaliser.ts';
import { countScrs, EDA_FLAT_RANGE_US, filterIbis, hrvMs, WindowFeatureExtractor } from './window-features.ts';

/** Beats with IBIs alternating 800/840 ms: every successive difference is 40 ms, so RMSSD = 40 ms. */
function alternatingBeats(count: number, startMs = 0): { tMs: number; ibiS: number }[] {
  const out: { tMs: number; ibiS: number }[] = [];
  let t = startMs;
  for (let i = 0; i < count; i++) {
    const ibiS = i % 2 === 0 ? 0.8 : 0.84;
    t += ibiS * 1000;
    out.push({ tMs: t, ibiS });
  }
  return out;
}

/** A full 5 s window of on-wrist samples at E4 rates with the given levels. */
function calmWindow(
  startMs: number,
  opts: { tempC?: number; edaUs?: number; hrBpm?: number; accG?: [number, number, number] } = {},
): WearableSample[] {
  const out: WearableSample[] = [];
  for (let i = 0; i < 5; i++) out.push({ kind: 'hr', tMs: startMs + i * 1000, hrBpm: opts.hrBpm ?? 70 });
  for (let i = 0; i < 20; i++) {
    out.push({ kind: 'eda', tMs: startMs + i * 250, edaUs: opts.edaUs ?? 3 });
    out.push({ kind: 'temp', tMs: startMs + i * 250, tempC: opts.tempC ?? 33.5 });
  }
  const [x, y, z] = opts.accG ?? [0, 0, 1];
  for (let i = 0; i < 160; i++) out.push({ kind: 'acc', tMs: startMs + i * 31.25, xG: x, yG: y, zG: z });
  return out;
}

describe('IBI artifact filter and HRV', () => {
  it('computes RMSSD and SDNN of a known beat series', () => {
    const { accepted, rejected } = filterIbis(alternatingBeats(20));
    expect(rejected).toBe(0);
    const { rmssdMs, sdnnMs } = hrvMs(accepted);
    expect(rmssdMs).toBeCloseTo(40, 6);
    // Half 800, half 840: SD = 20 ms (sample SD slightly higher).
    expect(sdnnMs!).toBeGreaterThan(20);
    expect(sdnnMs!).toBeLessThan(21);
  });

  it('drops a missed beat even when it is the first interval', () => {
    const beats = [{ tMs: 1600, ibiS: 1.6 }, ...alternatingBeats(10, 1600)];
    const { accepted } = filterIbis(beats);
    expect(accepted[0]!.ibiS).toBe(0.8);
    expect(hrvMs(accepted).sdnnMs!).toBeLessThan(25);
  });

  it('drops out-of-range intervals and >20% jumps (missed beats) so RMSSD stays right', () => {
    const beats = alternatingBeats(20);
    const withArtifacts = [
      ...beats.slice(0, 8),
      { tMs: beats[7]!.tMs + 1640, ibiS: 1.64 },
      { tMs: beats[7]!.tMs + 1640 + 200, ibiS: 0.2 },
      ...alternatingBeats(10, beats[7]!.tMs + 1840 + 0),
    ];
    const { accepted, rejected } = filterIbis(withArtifacts);
    expect(rejected).toBeGreaterThanOrEqual(2);
    expect(accepted.every((b) => b.ibiS >= 0.3 && b.ibiS <= 2)).toBe(true);
    // Pairs across the gap are not adjacent beats and are left out of RMSSD.
    expect(hrvMs(accepted).rmssdMs).toBeCloseTo(40, 6);
  });
});

describe('SCR detection', () => {
  it('counts responses above 0.05 uS and ignores noise', () => {
    const eda: { tMs: number; edaUs: number }[] = [];
    const onsets = [5, 20, 40]; // seconds
    for (let i = 0; i < 60 * 4; i++) {
      const t = i / 4;
      let v = 2 + 0.003 * Math.sin(i * 1.7); // sub-threshold wiggle
      for (const o of onsets) if (t >= o) v += (0.3 * (Math.exp(-(t - o) / 4) - Math.exp(-(t - o) / 0.75))) / 0.53;
      eda.push({ tMs: t * 1000, edaUs: v });
    }
    expect(countScrs(eda)).toBe(3);
    expect(countScrs(eda.map((s) => ({ ...s, edaUs: 2 + 0.003 * Math.sin(s.tMs) })))).toBe(0);
  });
});

describe('WindowFeatureExtractor', () => {
  it('computes levels, activity and full coverage for a complete on-wrist window', () => {
    const x = new WindowFeatureExtractor();
    x.add(calmWindow(0, { hrBpm: 72, edaUs: 4, tempC: 33 }));
    const f = x.compute(0, 5000);
    expect(f.hrBpm).toBe(72);
    expect(f.sclUs).toBeCloseTo(4);
    expect(f.tempC).toBeCloseTo(33);
    expect(f.activityG).toBeCloseTo(0);
    expect(f.coverage).toBe(1);
    expect(f.onWrist).toBe(true);
  });

  it('measures activity as mean | |acc| - 1 g |', () => {
    const x = new WindowFeatureExtractor();
    x.add(calmWindow(0, { accG: [0, 0.6, 1.2] })); // |acc| = 1.3416 g
    expect(x.compute(0, 5000).activityG).toBeCloseTo(Math.hypot(0.6, 1.2) - 1, 6);
  });

  it('detects off-wrist from room-air temperature or no skin conductance, but not from a cool worn wrist', () => {
    const cold = new WindowFeatureExtractor();
    cold.add(calmWindow(0, { tempC: 23 }));
    expect(cold.compute(0, 5000).onWrist).toBe(false);
    // 27 degC with normal skin conductance: a worn band in a cool room (common in the Stress-Predict sessions).
    const cool = new WindowFeatureExtractor();
    cool.add(calmWindow(0, { tempC: 27, edaUs: 0.4 }));
    expect(cool.compute(0, 5000).onWrist).toBe(true);
    const dry = new WindowFeatureExtractor();
    dry.add(calmWindow(0, { edaUs: 0 }));
    expect(dry.compute(0, 5000).onWrist).toBe(false);
  });

  it('reports partial coverage when streams drop out, and forgets everything on clear()', () => {
    const x = new WindowFeatureExtractor();
    x.add(calmWindow(0).filter((s) => s.kind !== 'acc' && s.tMs < 2500));
    const f = x.compute(0, 5000);
    expect(f.coverage).toBeCloseTo((3 * 3) / 20); // 3 streams x 3 of 5 seconds
    x.clear();
    expect(x.bufferedCount()).toBe(0);
    expect(x.compute(5000, 10000).sampleCount).toBe(0);
  });
});

describe('EDA flat-line', () => {
  it('reports the 30 s EDA range: flat for a stuck sensor, not for living skin', () => {
    const x = new WindowFeatureExtractor();
    for (let w = 0; w < 6; w++) x.add(calmWindow(w * 5000, { edaUs: 3 }));
    const flat = x.compute(25_000, 30_000);
    expect(flat.edaRangeUs).toBe(0);
    expect(flat.edaRangeUs!).toBeLessThan(EDA_FLAT_RANGE_US);
    const y = new WindowFeatureExtractor();
    for (let w = 0; w < 6; w++) y.add(calmWindow(w * 5000, { edaUs: 3 + 0.0026 * (w % 2) }));
    expect(y.compute(25_000, 30_000).edaRangeUs!).toBeGreaterThan(EDA_FLAT_RANGE_US);
    expect(new WindowFeatureExtractor().compute(0, 5000).edaRangeUs).toBeNull();
  });
});

describe('BaselineNormaliser', () => {
  it('learns the personal baseline from the first N usable windows, then z-scores against it with an SD floor', () => {
    const n = new BaselineNormaliser(3, 6);
    const x = new WindowFeatureExtractor();
    for (let w = 0; w < 3; w++) {
      x.add(calmWindow(w * 5000, { hrBpm: 60 }));
      const f = x.compute(w * 5000, (w + 1) * 5000);
      expect(n.isReady()).toBe(false);
      n.observe(f);
    }
    expect(n.isReady()).toBe(true);
    expect(n.baselineMean('hrBpm')).toBe(60);
    x.add(calmWindow(15000, { hrBpm: 68 }));
    const z = n.normalise(x.compute(15000, 20000));
    expect(z.hrBpm).toBeCloseTo(8 / SD_FLOOR.hrBpm); // identical calm windows: SD floored
    x.add(calmWindow(20000, { hrBpm: 160 }));
    expect(n.normalise(x.compute(20000, 25000)).hrBpm).toBe(6); // clipped
  });

  it('does not learn from off-wrist windows and does not absorb distress into the baseline', () => {
    const n = new BaselineNormaliser(1, 6);
    const x = new WindowFeatureExtractor();
    x.add(calmWindow(0, { tempC: 22, hrBpm: 120 }));
    n.observe(x.compute(0, 5000));
    expect(n.isReady()).toBe(false);
    x.add(calmWindow(5000, { hrBpm: 70 }));
    n.observe(x.compute(5000, 10000));
    expect(n.baselineMean('hrBpm')).toBe(70);
    // 30 bpm above a 70 bpm baseline (SD floor 4) is 7.5 SD: not vetted calm, never absorbed.
    for (let w = 2; w < 50; w++) {
      x.add(calmWindow(w * 5000, { hrBpm: 100 }));
      const f = x.compute(w * 5000, (w + 1) * 5000);
      expect(n.isVettedCalm(f)).toBe(false);
      n.observe(f);
    }
    expect(n.baselineMean('hrBpm')).toBe(70);
  });

  it('follows slow drift in both directions through vetted calm windows, and grows more established', () => {
    const n = new BaselineNormaliser(3, 6);
    const x = new WindowFeatureExtractor();
    let t = 0;
    const feed = (hrBpm: number) => {
      x.add(calmWindow(t, { hrBpm }));
      n.observe(x.compute(t, t + 5000));
      t += 5000;
    };
    for (let w = 0; w < 3; w++) feed(70);
    expect(n.maturity()).toBeCloseTo(3 / MATURE_BASELINE_WINDOWS);
    // Up by 4 bpm (1 SD): calm, followed slowly.
    for (let w = 0; w < 600; w++) feed(74);
    expect(n.baselineMean('hrBpm')!).toBeGreaterThan(73);
    expect(n.maturity()).toBe(1);
    // Down by 10 bpm (a sleeping patient): calm, followed too.
    for (let w = 0; w < 600; w++) feed(64);
    expect(n.baselineMean('hrBpm')!).toBeLessThan(65);
  });

  it('a moving arm is not vetted calm', () => {
    const n = new BaselineNormaliser(2, 6);
    const x = new WindowFeatureExtractor();
    for (let w = 0; w < 2; w++) {
      x.add(calmWindow(w * 5000, {}));
      n.observe(x.compute(w * 5000, (w + 1) * 5000));
    }
    x.add(calmWindow(10_000, { accG: [0, 0, 1.5] }));
    expect(n.isVettedCalm(x.compute(10_000, 15_000))).toBe(false);
    x.add(calmWindow(15_000, {}));
    expect(n.isVettedCalm(x.compute(15_000, 20_000))).toBe(true);
  });
});
