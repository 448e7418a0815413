/**
 * The face pipeline for one frame: detect faces -> choose the patient's (inside the bed region,
 * else the largest) -> 192x192 crop -> landmarks -> expression -> geometry, head pose, light ->
 * action units and expression change against the patient's neutral baseline. The frame is not
 * kept. The baseline is not learned here, frame by frame: the agent vets each closed window with
 * what the wearable said about it (`baseline.vetWindow`, neutral-baseline.ts).
 */
import type { BedRegion } from '../config.ts';
import type { RgbFrame } from '../sources/camera/frame.ts';
import { actionUnits, pspi } from './action-units.ts';
import { boxCenter, boxHeight, boxWidth, faceCropBox, type Detection } from './blazeface.ts';
import { FaceModels, type DetectorSettings } from './face-models.ts';
import { EXPRESSION_KEYS, USABLE, wellLit, type ExpressionProbabilities, type FrameAnalysis, type PatientFace } from './face-window.ts';
import { lumaStats } from './image-ops.ts';
import { faceMeasures, headPose, landmarkMotion, type Landmarks } from './landmarks.ts';
import { NeutralFaceBaseline } from './neutral-baseline.ts';

export interface FacePipelineOptions {
  bedRegion?: BedRegion;
  /** Steady frames of a wearable-vetted calm period that make a neutral baseline (60 = 30 s at 2 fps). */
  baselineFrames: number;
  detector?: Partial<DetectorSettings>;
  /** FaceMesh face confidence below which the detection is not treated as a face. */
  minMeshConfidence?: number;
}

/** Per-stage wall time of one frame, ms (benchmarks). */
export interface StageTimings {
  detect: number;
  landmarks: number;
  expression: number;
  indicators: number;
}

/** The face to analyse: only faces centred inside the bed region count; of those, the largest. */
export function choosePatientFace(
  detections: readonly Detection[],
  frameW: number,
  frameH: number,
  bedRegion?: BedRegion,
): Detection | null {
  let best: Detection | null = null;
  for (const d of detections) {
    if (bedRegion) {
      const [cx, cy] = boxCenter(d.box);
      const nx = cx / frameW;
      const ny = cy / frameH;
      if (nx < bedRegion.x || nx > bedRegion.x + bedRegion.w || ny < bedRegion.y || ny > bedRegion.y + bedRegion.h) continue;
    }
    if (!best || boxWidth(d.box) * boxHeight(d.box) > boxWidth(best.box) * boxHeight(best.box)) best = d;
  }
  return best;
}

export class FacePipeline {
  readonly baseline: NeutralFaceBaseline;
  private previous: Landmarks | null = null;
  private readonly detector: DetectorSettings;

  constructor(
    readonly models: FaceModels,
    private readonly options: FacePipelineOptions,
  ) {
    this.baseline = new NeutralFaceBaseline({ framesNeeded: options.baselineFrames });
    this.detector = { minScore: 0.5, iouThreshold: 0.3, maxFaces: 5, ...options.detector };
  }

  /** Bumped by every reset: an analysis that started before it must not write into the new state. */
  private generation = 0;

  /** A new patient (new stay): forget the neutral face and the motion reference. */
  resetPatient(): void {
    this.generation += 1;
    this.baseline.reset();
    this.previous = null;
  }

  /** Camera withdrawn: drop the last landmarks kept for motion (the neutral baseline is summary data and stays). */
  forgetMotion(): void {
    this.generation += 1;
    this.previous = null;
  }

  async analyse(frame: RgbFrame, timings?: StageTimings): Promise<FrameAnalysis> {
    let t = performance.now();
    const lap = (k: keyof StageTimings) => {
      const now = performance.now();
      if (timings) timings[k] += now - t;
      t = now;
    };
    const generation = this.generation;
    const detections = await this.models.detect(frame, this.detector);
    const chosen = choosePatientFace(detections, frame.width, frame.height, this.options.bedRegion);
    lap('detect');
    if (!chosen) {
      this.previous = null;
      return { tMs: frame.tMs, facesFound: detections.length, patient: null };
    }
    const cropBox = faceCropBox(chosen.box);
    const crop = this.models.crop(frame, cropBox);
    const { points, confidence } = await this.models.landmarks(crop, cropBox);
    lap('landmarks');
    if (confidence < (this.options.minMeshConfidence ?? 0.3)) {
      this.previous = null;
      return { tMs: frame.tMs, facesFound: detections.length, patient: null };
    }
    const expression = await this.models.expressionOf(crop);
    lap('expression');
    if (generation !== this.generation) return { tMs: frame.tMs, facesFound: detections.length, patient: null };

    const pose = headPose(points);
    const { mean: luma, sd: lumaSd } = lumaStats(frame, chosen.box);
    const motion = this.previous ? landmarkMotion(this.previous, points) : null;
    this.previous = points;
    const measures = faceMeasures(points);
    const usable = Math.abs(pose.yawDeg) <= USABLE.maxYawDeg && Math.abs(pose.pitchDeg) <= USABLE.maxPitchDeg && wellLit(luma, lumaSd);
    const neutral = this.baseline.current();
    const au = usable && neutral ? actionUnits(measures, neutral.measures) : null;
    const score = au ? pspi(au) : null;
    const expressionChange = neutral
      ? (Object.fromEntries(EXPRESSION_KEYS.map((k) => [k, expression[k] - neutral.expression[k]])) as ExpressionProbabilities)
      : null;
    const patient: PatientFace = {
      detectorScore: chosen.score,
      box: chosen.box,
      expression,
      expressionChange,
      pose,
      luma,
      lumaSd,
      motion,
      measures,
      au,
      pspi: score,
      usable,
    };
    lap('indicators');
    return { tMs: frame.tMs, facesFound: detections.length, patient };
  }

  async release(): Promise<void> {
    await this.models.release();
  }
}
