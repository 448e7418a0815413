import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_DISTRESS_RULE, type RuleWindow } from '@attune/server/distress-rule';
import { DATA_ENV } from '@attune/models/training';
import { reliabilitySvg, tradeOffSvg } from './charts.ts';
import { evaluateWindows } from './evaluation.ts';
import { main, type ReplayedSubject } from './main.ts';
import { sweepRule } from './sweep.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = resolve(repoRoot, process.env[DATA_ENV] ?? '../shared/data/stress-predict');
const haveData = existsSync(join(dataDir, 'labels.csv')) && existsSync(join(dataDir, 'raw'));
if (!haveData) {
  console.warn(`\n!!! Stress-Predict data not found at ${dataDir}: npm run alerts:eval on real recordings is SKIPPED. Set ${DATA_ENV}.\n`);
}

/**
 * A synthetic subject: 10 min rest, 5 min stress, 10 min rest, in 5 s windows whose distress is
 * `during` in the stress task and `rest` otherwise (and `blip` for 2 min in the final rest).
 */
function subject(name: string, during: number, rest: number, blip = rest): ReplayedSubject {
  const labels: (0 | 1)[] = [...new Array<0>(600).fill(0), ...new Array<1>(300).fill(1), ...new Array<0>(600).fill(0)];
  const windows = Array.from({ length: 300 }, (_, i) => {
    const startS = i * 5;
    const inStress = startS >= 600 && startS < 900;
    const inBlip = startS >= 1200 && startS < 1320;
    const distress = inStress ? during : inBlip ? blip : rest;
    const rule: RuleWindow = {
      deviceId: 'replay',
      seq: i,
      windowStart: new Date(startS * 1000),
      windowEnd: new Date((startS + 5) * 1000),
      receivedAt: new Date((startS + 5) * 1000),
      distress,
      confidence: 0.9,
      drivers: [],
      wearable: {
        hrBpm: 80,
        hrBaselineBpm: 75,
        sdnnMs: 40,
        rmssdMs: 35,
        sclUs: 2,
        scrPerMin: 1,
        tempC: 33,
        activityG: 0.01,
        distress,
        baselineReady: startS >= 120,
        onWrist: true,
      },
      quality: { wearableCoverage: 1, faceCoverage: null, unobserved: [] },
      models: {},
    };
    return { startS, endS: startS + 5, rule, wearableDistress: distress, baselineReady: startS >= 115 };
  });
  return { subject: name, scoredBy: 'leave-subject-out', windows, labels };
}

describe('alert evaluation harness (synthetic recordings)', () => {
  it('counts a detection, a false alert in rest, and the probability measures', () => {
    const replayed = [subject('A', 0.9, 0.2), subject('B', 0.9, 0.2, 0.95), subject('C', 0.3, 0.2)];
    const r = evaluateWindows(replayed, { resolveAfterS: 600 });
    expect(r.subjects).toBe(3);
    expect(r.stressPeriods).toBe(3);
    expect(r.detected).toBe(2); // A and B; C never rises
    expect(r.sensitivity).toBeCloseTo(2 / 3, 3);
    expect(r.falseAlerts).toBe(1); // B's blip, 5 min after its task
    // Rest per subject: 600 s after the baseline (120 s) -> 480 s, plus 600 - 180 = 420 s after the task.
    expect(r.restHours).toBeCloseTo((3 * 900) / 3600, 3);
    expect(r.falseAlertsPerPatientDay).toBeCloseTo((1 / r.restHours) * 24, 1);
    expect(r.perTask).toEqual({ task1: { periods: 3, detected: 2 } });
    expect(r.medianTimeToAlertS).not.toBeNull();
    expect(r.auc).toBeGreaterThan(0.8);
    expect(r.perSubject.map((p) => [p.subject, p.falseAlerts, p.detected])).toEqual([
      ['A', 0, 1],
      ['B', 1, 1],
      ['C', 0, 0],
    ]);
    for (const key of ['brier', 'brierBaseRate', 'ece', 'auc'] as const) expect(Number.isFinite(r[key])).toBe(true);
  });

  it('a stricter rule raises fewer alerts: the sweep marks the Pareto front and draws it', () => {
    const replayed = [subject('A', 0.9, 0.2), subject('B', 0.6, 0.2, 0.7)];
    const points = sweepRule(replayed, 600);
    expect(points.some((p) => p.pareto)).toBe(true);
    const loose = points.find((p) => p.rule.allowanceLogOdds === 0.1 && p.rule.openEvidence === 10)!;
    const strict = points.find((p) => p.rule.allowanceLogOdds === 1.2 && p.rule.openEvidence === 450)!;
    expect(strict.falseAlerts + strict.detected).toBeLessThan(loose.falseAlerts + loose.detected);
    const svg = tradeOffSvg(points, [{ label: 'standard', point: loose }]);
    expect(svg.match(/<circle /g)!.length).toBe(points.length + 1);
    const r = evaluateWindows(replayed, { resolveAfterS: 600 });
    expect(reliabilitySvg(r.reliability, 'test')).toContain('<polyline');
  });
});

describe('npm run alerts:eval on real recordings', () => {
  it.skipIf(!haveData)(
    'replays a 4-subject folder leave-subject-out and prints one JSON line with the required keys',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'attune-alerts-eval-'));
      const subjects = ['S02', 'S03', 'S04', 'S06'];
      try {
        mkdirSync(join(dir, 'raw'));
        for (const s of subjects) symlinkSync(join(dataDir, 'raw', s), join(dir, 'raw', s));
        const labels = readFileSync(join(dataDir, 'labels.csv'), 'utf8').split('\n');
        writeFileSync(
          join(dir, 'labels.csv'),
          [labels[0], ...labels.filter((l) => subjects.some((s) => l.startsWith(`${s},`)))].join('\n'),
        );
        const lines: string[] = [];
        const log = vi.spyOn(console, 'log').mockImplementation((m: unknown) => void lines.push(String(m)));
        const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
        try {
          expect(await main(['--data', dir])).toBe(0);
        } finally {
          log.mockRestore();
          stderr.mockRestore();
        }
        const out = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
        for (const key of [
          'subjects',
          'restHours',
          'falseAlerts',
          'falseAlertsPerPatientDay',
          'stressPeriods',
          'detected',
          'sensitivity',
          'medianTimeToAlertS',
          'perTask',
          'brier',
          'brierBaseRate',
          'ece',
          'auc',
          'perSubject',
        ]) {
          expect(out, key).toHaveProperty(key);
        }
        expect(out.subjects).toBe(4);
        expect(out.stressPeriods).toBe(12);
        expect(Object.keys(out.perTask as object).sort()).toEqual(['hyperventilation', 'interview', 'stroop']);
        expect(out.scoredBy).toEqual({ 'leave-subject-out': 4 });
        expect(out.restHours as number).toBeGreaterThan(1);
        expect(out.auc as number).toBeGreaterThan(0.5);
        expect(out.rule).toEqual({});
        expect(DEFAULT_DISTRESS_RULE.referenceDistress).toBeGreaterThan(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    240_000,
  );
});
