import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { e4ToOffsetSamples, parseE4Ibi, parseE4Signal, readE4Recording } from './e4-csv.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const stressPredictDir = resolve(repoRoot, process.env.ATTUNE_STRESS_PREDICT_DIR ?? '../shared/data/stress-predict');
const haveRealData = existsSync(join(stressPredictDir, 'raw', 'S01', 'EDA.csv'));
if (!haveRealData) {
  console.warn(
    `\n!!! Stress-Predict E4 recordings not found at ${stressPredictDir}: the real-file E4 parser tests are SKIPPED. ` +
      'Set ATTUNE_STRESS_PREDICT_DIR to the folder holding raw/SXX/*.csv.\n',
  );
}

describe('E4 CSV parser', () => {
  it('parses the header rows, rate and samples of a signal file', () => {
    const sig = parseE4Signal(
      '1644226061.000000, 1644226061.000000, 1644226061.000000\n32.000000, 32.000000, 32.000000\n-2,43,43\n-2,44,46\n',
    );
    expect(sig).toEqual({
      startUnixS: 1644226061,
      hz: 32,
      rows: [
        [-2, 43, 43],
        [-2, 44, 46],
      ],
    });
    const ibi = parseE4Ibi('1644226061.000000, IBI\n35.484375,0.890625\n36.343750,0.859375\n');
    expect(ibi.beats).toEqual([
      { offsetS: 35.484375, ibiS: 0.890625 },
      { offsetS: 36.34375, ibiS: 0.859375 },
    ]);
    expect(() => parseE4Signal('1\n0\n1\n')).toThrow(/sample rate/);
  });

  it.skipIf(!haveRealData)('reads real Empatica E4 sessions (Stress-Predict) with consistent rates and ranges', () => {
    const subjects = readdirSync(join(stressPredictDir, 'raw'))
      .filter((s) => /^S\d+$/.test(s))
      .slice(0, 3);
    expect(subjects.length).toBeGreaterThan(0);
    for (const subject of subjects) {
      const rec = readE4Recording(join(stressPredictDir, 'raw', subject));
      expect(rec.hr?.hz).toBe(1);
      expect(rec.eda?.hz).toBe(4);
      expect(rec.temp?.hz).toBe(4);
      expect(rec.acc?.hz).toBe(32);
      expect(rec.acc?.rows[0]).toHaveLength(3);
      expect(rec.ibi!.beats.length).toBeGreaterThan(100);
      for (const b of rec.ibi!.beats.slice(0, 200)) expect(b.ibiS).toBeGreaterThan(0.2);
      const samples = e4ToOffsetSamples(rec);
      // Time-ordered; HR starts ~10 s after the other files on the E4 and is placed accordingly.
      for (let i = 1; i < samples.length; i += 997) expect(samples[i]!.offsetS).toBeGreaterThanOrEqual(samples[i - 1]!.offsetS);
      const firstHr = samples.find((s) => s.kind === 'hr')!;
      expect(firstHr.offsetS).toBeCloseTo(rec.hr!.startUnixS - rec.startUnixS, 6);
      const acc = samples.find((s) => s.kind === 'acc' && s.offsetS > 600);
      expect(acc && acc.kind === 'acc' && Math.hypot(acc.xG, acc.yG, acc.zG)).toBeGreaterThan(0.5); // 1/64 g units converted
    }
  });
});
