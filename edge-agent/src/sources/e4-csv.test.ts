import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateRecordings, RECORDINGS_DIR } from '../recordings/generate-recordings.ts';
import { e4ToOffsetSamples, parseE4Ibi, parseE4Signal, readE4Recording } from './e4-csv.ts';
import { WearableSimulator } from './simulator.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
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

describe('simulator and bundled demo recordings', () => {
  it('is deterministic whatever chunks the samples are requested in', () => {
    const episodes = [{ startS: 10, durationS: 20, intensity: 1 }];
    const a = new WearableSimulator({ seed: 7, episodes });
    const whole = a.samplesBetween(-1, 60);
    const b = new WearableSimulator({ seed: 7, episodes });
    const chunked = [];
    for (let t = 0; t < 60; t += 0.1) chunked.push(...b.samplesBetween(t - 0.1 - (t === 0 ? 1 : 0), Math.min(60, t)));
    chunked.push(...b.samplesBetween(59.9, 60));
    expect(chunked.length).toBeGreaterThan(1000);
    expect(JSON.stringify(chunked.sort((x, y) => x.offsetS - y.offsetS || x.kind.localeCompare(y.kind)))).toEqual(
      JSON.stringify(whole.sort((x, y) => x.offsetS - y.offsetS || x.kind.localeCompare(y.kind))),
    );
  });

  it('regenerates byte-identical recordings, under 3 MB, 10 minutes each', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'attune-rec-'));
    try {
      generateRecordings(tmp);
      let bytes = 0;
      for (let i = 1; i <= 8; i++) {
        const bed = `bed-0${i}`;
        for (const f of ['HR.csv', 'IBI.csv', 'EDA.csv', 'TEMP.csv', 'ACC.csv']) {
          const fresh = readFileSync(join(tmp, bed, f));
          bytes += fresh.byteLength;
          expect(
            fresh.equals(readFileSync(join(RECORDINGS_DIR, bed, f))),
            `${bed}/${f} drifted; run npm run -w @attune/edge-agent recordings`,
          ).toBe(true);
        }
        const rec = readE4Recording(join(tmp, bed));
        expect(rec.eda!.rows.length / rec.eda!.hz).toBe(600);
        expect(rec.acc!.rows.length / rec.acc!.hz).toBe(600);
      }
      expect(bytes).toBeLessThan(3 * 1024 * 1024);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
