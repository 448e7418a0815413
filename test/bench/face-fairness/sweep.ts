/**
 * Face-path fairness sweep: every edge-bench fixture (two public-domain portraits at 10 placements
 * each, and 4 synthetic faces) under skin-tone, lighting and head-pose transforms, read by the
 * agent's own face models. Per condition: face detection (found, and its box overlaps the expected
 * box with IoU >= 0.5), the pipeline's "usable" share, landmark displacement against the reference
 * landmarks carried through the known transform (in inter-ocular distances), and expression
 * agreement with the untransformed frame (top-1 class, mean absolute difference of the 7
 * probabilities). Prints a table, progress on stderr, writes JSON beside this file.
 *
 *   npx tsx test/bench/face-fairness/sweep.ts [--out <file.json>]
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FaceModels, iou, ort } from '@attune/edge-agent/face';
import { benchFrames, HEIGHT, WIDTH } from '../edge/frames.ts';
import { CONDITIONS, MESH_CONTOURS, SKIN_LADDER, skinMaskFromLandmarks, type ConditionFamily, type FixtureContext } from './conditions.ts';
import { readFace, type FaceReading } from './face-reading.ts';
import { expressionMeanAbsDiff, landmarkDisplacement, mean, median, topExpression } from './metrics.ts';
import { format, resolveConfig } from 'prettier';
import { itaDeg, meanLab, type RgbImage } from './transforms.ts';

/** A face counts as detected under a condition when its box overlaps the expected box by at least this. */
const MIN_IOU = 0.5;

const outArg = process.argv.indexOf('--out');
const jsonPath = outArg >= 0 ? process.argv[outArg + 1]! : fileURLToPath(new URL('results.json', import.meta.url));
const round = (x: number, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface FrameResult {
  condition: string;
  fixture: string;
  source: string;
  found: boolean;
  iou: number | null;
  detected: boolean;
  usable: boolean;
  detectorScore: number | null;
  luma: number | null;
  landmarkDisplacementIod: number | null;
  top: string | null;
  topAgrees: boolean | null;
  expressionMeanAbsDiff: number | null;
  /** Mean ITA of the face skin after the transform (skin-tone conditions only), degrees. */
  skinItaDeg: number | null;
}

const started = performance.now();
log('loading face models…');
const models = await FaceModels.load({ threads: 1 });
const fixtures = benchFrames();
log(`${fixtures.length} fixtures, ${CONDITIONS.length} conditions`);

interface Fixture {
  label: string;
  source: string;
  ctx: FixtureContext;
  reference: FaceReading;
  skinItaDeg: number;
}
const usableFixtures: Fixture[] = [];
const skippedFixtures: string[] = [];
for (const [i, f] of fixtures.entries()) {
  const image: RgbImage = { width: WIDTH, height: HEIGHT, data: f.data };
  const reference = await readFace(models, image);
  if (!reference) {
    skippedFixtures.push(f.label);
    log(`  no face on the untransformed fixture ${f.label}: left out`);
    continue;
  }
  const p = reference.points;
  const skinMask = skinMaskFromLandmarks(WIDTH, HEIGHT, p);
  const skin = meanLab(image, skinMask);
  usableFixtures.push({
    label: f.label,
    source: f.label.split(' ')[0]!.replace(/\.jpg$/, ''),
    reference,
    skinItaDeg: itaDeg(skin.l, skin.b),
    ctx: {
      image,
      referenceBox: reference.box,
      referencePoints: p,
      skinMask,
      faceCentre: [(reference.box.x1 + reference.box.x2) / 2, (reference.box.y1 + reference.box.y2) / 2],
      // The head is a little wider than cheek to cheek and taller than hairline to chin.
      headHalfWidthPx: (Math.abs(p[MESH_CONTOURS.leftCheek]![0] - p[MESH_CONTOURS.rightCheek]![0]) / 2) * 1.1,
      headHalfHeightPx: (Math.abs(p[MESH_CONTOURS.chin]![1] - p[MESH_CONTOURS.foreheadTop]![1]) / 2) * 1.15,
      seed: 1000 + i,
    },
  });
}
if (usableFixtures.length === 0) throw new Error('the face path found no face on any untransformed fixture: nothing to sweep');

const skinConditionIds = new Set(SKIN_LADDER.map((s) => s.id));
const results: FrameResult[] = [];
for (const [ci, condition] of CONDITIONS.entries()) {
  const t0 = performance.now();
  for (const fx of usableFixtures) {
    const transformed = condition.apply(fx.ctx);
    const reading = await readFace(models, transformed.image);
    const boxIou = reading ? iou(reading.box, transformed.expectedBox) : null;
    const detected = reading !== null && boxIou! >= MIN_IOU;
    let displacement: number | null = null;
    if (detected) {
      const expected = fx.reference.points.map((pt) => transformed.mapPoint(pt));
      displacement = landmarkDisplacement(reading.points, expected, fx.reference.interOcularPx).meanIod;
    }
    const refTop = topExpression(fx.reference.expression);
    let skinIta: number | null = null;
    if (skinConditionIds.has(condition.id) || condition.id === 'reference') {
      // Measured before any light change: the tone the face was given, not how it was lit.
      const skin = meanLab(transformed.image, fx.ctx.skinMask);
      skinIta = itaDeg(skin.l, skin.b);
    }
    results.push({
      condition: condition.id,
      fixture: fx.label,
      source: fx.source,
      found: reading !== null,
      iou: boxIou === null ? null : round(boxIou),
      detected,
      usable: detected && reading.usable,
      detectorScore: reading ? round(reading.detectorScore) : null,
      luma: reading ? round(reading.luma, 1) : null,
      landmarkDisplacementIod: displacement === null ? null : round(displacement, 4),
      top: detected ? topExpression(reading.expression) : null,
      topAgrees: detected ? topExpression(reading.expression) === refTop : null,
      expressionMeanAbsDiff: detected ? round(expressionMeanAbsDiff(reading.expression, fx.reference.expression), 4) : null,
      skinItaDeg: skinIta === null ? null : round(skinIta, 1),
    });
  }
  log(`[${ci + 1}/${CONDITIONS.length}] ${condition.id} (${Math.round(performance.now() - t0)} ms)`);
}

interface ConditionSummary {
  id: string;
  family: ConditionFamily;
  label: string;
  frames: number;
  detected: number;
  detectionRate: number | null;
  usable: number;
  usableRate: number | null;
  landmarkDisplacementIodMedian: number | null;
  landmarkDisplacementIodMax: number | null;
  topAgree: number;
  topAgreeRateOfDetected: number | null;
  expressionMeanAbsDiffMean: number | null;
  skinItaDegMedian: number | null;
  detectorScoreMedian: number | null;
  detectorScoreMin: number | null;
  detectedBySource: Record<string, string>;
  topAgreeBySource: Record<string, string>;
}
const sources = [...new Set(usableFixtures.map((f) => f.source))];
const summaries: ConditionSummary[] = CONDITIONS.map((c) => {
  const rows = results.filter((r) => r.condition === c.id);
  const det = rows.filter((r) => r.detected);
  const disp = det.map((r) => r.landmarkDisplacementIod!);
  const itas = rows.map((r) => r.skinItaDeg).filter((x): x is number => x !== null);
  return {
    id: c.id,
    family: c.family,
    label: c.label,
    frames: rows.length,
    detected: det.length,
    detectionRate: round(det.length / rows.length),
    usable: rows.filter((r) => r.usable).length,
    usableRate: round(rows.filter((r) => r.usable).length / rows.length),
    landmarkDisplacementIodMedian: round(median(disp), 4),
    landmarkDisplacementIodMax: disp.length ? round(Math.max(...disp), 4) : null,
    topAgree: det.filter((r) => r.topAgrees).length,
    topAgreeRateOfDetected: det.length ? round(det.filter((r) => r.topAgrees).length / det.length) : null,
    expressionMeanAbsDiffMean: round(mean(det.map((r) => r.expressionMeanAbsDiff!)), 4),
    skinItaDegMedian: itas.length ? round(median(itas), 1) : null,
    detectorScoreMedian: round(median(det.map((r) => r.detectorScore!))),
    detectorScoreMin: det.length ? round(Math.min(...det.map((r) => r.detectorScore!))) : null,
    detectedBySource: Object.fromEntries(
      sources.map((s) => {
        const own = rows.filter((r) => r.source === s);
        return [s, `${own.filter((r) => r.detected).length}/${own.length}`];
      }),
    ),
    topAgreeBySource: Object.fromEntries(
      sources.map((s) => {
        const own = det.filter((r) => r.source === s);
        return [s, `${own.filter((r) => r.topAgrees).length}/${own.length}`];
      }),
    ),
  };
});

// Sanity: the untransformed row must agree with itself exactly, or the harness is broken.
const ref = summaries[0]!;
if (ref.id !== 'reference' || ref.detected !== ref.frames || ref.topAgree !== ref.frames || (ref.landmarkDisplacementIodMax ?? 1) > 1e-6) {
  throw new Error(`the untransformed frames do not reproduce their own reading: ${JSON.stringify(ref)}`);
}

const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`);
const num = (x: number | null, d = 3) => (x === null ? '-' : x.toFixed(d));
const header =
  '| family | condition | skin ITA (median) | detected | detector score (median / min) | usable | landmark displacement, IOD (median / max) | top-1 expression agrees (of detected) | top-1 agrees by source (' +
  sources.join(' / ') +
  ') | expression MAD (mean) |';
const lines = [header, `|${' --- |'.repeat(10)}`];
for (const s of summaries) {
  lines.push(
    `| ${s.family} | ${s.label} | ${s.skinItaDegMedian === null ? '' : s.skinItaDegMedian.toFixed(0)} | ${s.detected}/${s.frames} (${pct(s.detectionRate)}) | ${num(s.detectorScoreMedian, 2)} / ${num(s.detectorScoreMin, 2)} | ${pct(s.usableRate)} | ${num(s.landmarkDisplacementIodMedian)} / ${num(s.landmarkDisplacementIodMax)} | ${s.topAgree}/${s.detected} (${pct(s.topAgreeRateOfDetected)}) | ${sources.map((k) => s.topAgreeBySource[k]).join(' / ')} | ${num(s.expressionMeanAbsDiffMean)} |`,
  );
}
const table = lines.join('\n');
console.log(`\n${table}\n`);

const referenceTops = Object.fromEntries(usableFixtures.map((f) => [f.label, topExpression(f.reference.expression)]));
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  onnxruntime: ort.env.versions?.common ?? 'unknown',
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
};
const wallS = (performance.now() - started) / 1000;
const json = JSON.stringify(
  {
    command: 'npx tsx test/bench/face-fairness/sweep.ts',
    machine,
    models: models.versions(),
    wallS: Math.round(wallS),
    settings: { minIou: MIN_IOU },
    fixtures: usableFixtures.map((f) => ({
      label: f.label,
      source: f.source,
      referenceTop: referenceTops[f.label],
      referenceSkinItaDeg: round(f.skinItaDeg, 1),
      interOcularPx: round(f.reference.interOcularPx, 1),
    })),
    skippedFixtures,
    conditions: summaries,
    frames: results,
  },
  null,
  2,
);
// Written in the repository's own format, so the committed file passes `npm run check` as it is.
writeFileSync(jsonPath, await format(json, { ...(await resolveConfig(jsonPath)), parser: 'json' }));
log(`wrote ${jsonPath} (${Math.round(wallS)} s)`);
await models.release();
