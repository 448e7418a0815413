import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { WindowFeatures } from '../../runtime/wearable/window-features.ts';
import { DATA_ENV, DataDirError, resolveDataDir } from './data-dir.ts';
import { loadDataset, parseLabelsCsv, windowLabel, type SubjectWindows } from './dataset.ts';
import { main as evalMain } from './eval.ts';
import { DEFAULT_TRAIN_OPTIONS, leaveOneSubjectOut, trainModel } from './train-model.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = resolve(repoRoot, process.env[DATA_ENV] ?? '../shared/data/stress-predict');
const haveData = existsSync(join(dataDir, 'labels.csv')) && existsSync(join(dataDir, 'raw'));
if (!haveData) {
  console.warn(
    `\n!!! Stress-Predict data not found at ${dataDir}: training determinism and models:eval on real data are SKIPPED. ` +
      `Set ${DATA_ENV} to the folder holding raw/SXX/*.csv and labels.csv.\n`,
  );
}

describe('data folder and labels', () => {
  it('says what to set when no data folder is given, and checks the layout', () => {
    expect(() => resolveDataDir([], {})).toThrow(DataDirError);
    expect(() => resolveDataDir([], {})).toThrow(new RegExp(`--data <dir>.*${DATA_ENV}`));
    expect(() => resolveDataDir(['--data', '/nonexistent/stress'], {})).toThrow(/does not exist/);
    expect(() => resolveDataDir([], { [DATA_ENV]: repoRoot })).toThrow(/has no raw/);
  });

  it('labels a window only when every second of it carries the same label', () => {
    const labels = parseLabelsCsv(
      'subject,unix_time,label,hr_bpm,resp_rate\nS01,100,0,70,12\nS01,101,0,70,\nS01,102,1,80,12\nS01,103,1,80,12\n',
    ).get('S01')!;
    expect(windowLabel(labels, 100, 2)).toBe(0);
    expect(windowLabel(labels, 102, 2)).toBe(1);
    expect(windowLabel(labels, 101, 2)).toBeNull(); // straddles a task boundary
    expect(windowLabel(labels, 103, 2)).toBeNull(); // runs past the labelled seconds
  });
});

/** A subject whose HR and SCL rise in labelled stress windows (with noise from a fixed sequence). */
function syntheticSubject(name: string, offset: number): SubjectWindows {
  const windows: WindowFeatures[] = [];
  const labels: (0 | 1 | null)[] = [];
  for (let i = 0; i < 240; i++) {
    const stress = i >= 60 && Math.floor(i / 40) % 2 === 1;
    const wiggle = Math.sin(i * 1.7 + offset) + 0.5 * Math.cos(i * 0.37 * (offset + 1));
    windows.push({
      windowStartMs: i * 5000,
      windowEndMs: (i + 1) * 5000,
      hrBpm: 70 + offset + (stress ? 8 : 0) + 3 * wiggle,
      sdnnMs: 50,
      rmssdMs: 40 - (stress ? 5 : 0) + 4 * wiggle,
      sclUs: 2 + (stress ? 0.4 : 0) + 0.2 * wiggle,
      scrPerMin: 2 + (stress ? 1 : 0) + wiggle,
      tempC: 33 - 0.1 * wiggle,
      activityG: 0.02 + 0.01 * Math.abs(wiggle),
      coverage: 1,
      onWrist: true,
      sampleCount: 200,
      ibiAccepted: 30,
      ibiRejected: 0,
    });
    labels.push(stress ? 1 : 0);
  }
  return { subject: name, windows, labels };
}

describe('training', () => {
  const synthetic = { dataDir: 'synthetic', subjects: [0, 1, 2, 3].map((k) => syntheticSubject(`S0${k}`, k)) };

  it('learns positive HR and SCL weights on synthetic subjects and validates leave-one-subject-out', () => {
    const model = trainModel(synthetic.subjects);
    expect(model.weights[0]!).toBeGreaterThan(0);
    expect(model.weights[2]!).toBeGreaterThan(0);
    const loso = leaveOneSubjectOut(synthetic);
    expect(loso.subjects).toBe(4);
    expect(loso.perSubject).toHaveLength(4);
    expect(loso.auc).toBeGreaterThan(0.8);
  });

  it('is deterministic on synthetic subjects: two runs give identical weights', () => {
    expect(trainModel(synthetic.subjects)).toEqual(trainModel(structuredClone(synthetic.subjects)));
  });

  it.skipIf(!haveData)('is deterministic on real Stress-Predict subjects: two runs on a subset give identical weights', () => {
    const a = trainModel(loadDataset(dataDir, { limit: 3 }).subjects, DEFAULT_TRAIN_OPTIONS);
    const b = trainModel(loadDataset(dataDir, { limit: 3 }).subjects, DEFAULT_TRAIN_OPTIONS);
    expect(b.weights).toEqual(a.weights);
    expect(b.bias).toBe(a.bias);
    expect(a.trainingWindows).toBeGreaterThan(1000);
  });
});

describe('npm run models:eval', () => {
  it.skipIf(!haveData)('evaluates the committed model on the real data and prints one JSON line', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((m: unknown) => void lines.push(String(m)));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await evalMain(['--data', dataDir])).toBe(0);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { auc: number; balancedAccuracy: number; subjects: number; windows: number };
    expect(out.subjects).toBeGreaterThanOrEqual(20);
    expect(out.windows).toBeGreaterThan(10_000);
    expect(out.auc).toBeGreaterThan(0.6);
    expect(out.balancedAccuracy).toBeGreaterThan(0.55);
  });

  it('refuses to run without a data folder, naming the variable', async () => {
    const saved = process.env[DATA_ENV];
    delete process.env[DATA_ENV];
    const errors: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    try {
      expect(await evalMain([])).toBe(2);
    } finally {
      err.mockRestore();
      if (saved !== undefined) process.env[DATA_ENV] = saved;
    }
    expect(errors.join('\n')).toMatch(DATA_ENV);
  });
});
