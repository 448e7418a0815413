import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readE4Recording } from '@attune/models';
import { describe, expect, it } from 'vitest';
import { generateRecordings, RECORDINGS_DIR } from '../../recordings/generate-recordings.ts';
import { WearableSimulator } from './simulator.ts';

// The E4 CSV parser itself (and its tests on real Stress-Predict files) lives in @attune/models (models/src/wearable).

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
