/**
 * One frame read by the agent's face path, with the landmarks the pipeline does not return: the
 * same models (FaceModels, verified against the manifest), the same detector settings, patient-face
 * choice, crop, mesh-confidence gate and "usable" rule as FacePipeline.analyse in
 * edge-agent/src/face/face-pipeline.ts. If that file changes its defaults, change them here too.
 */
import {
  choosePatientFace,
  faceCropBox,
  headPose,
  interOcular,
  lumaStats,
  USABLE,
  wellLit,
  type Box,
  type DetectorSettings,
  type FaceModels,
  type HeadPose,
} from '@attune/edge-agent/face';
import type { Expression } from './metrics.ts';
import type { Point2, RgbImage } from './transforms.ts';

/** FacePipeline's detector defaults and mesh gate (face-pipeline.ts). */
export const PIPELINE_DETECTOR: DetectorSettings = { minScore: 0.5, iouThreshold: 0.3, maxFaces: 5 };
export const PIPELINE_MIN_MESH_CONFIDENCE = 0.3;

export interface FaceReading {
  detectorScore: number;
  box: Box;
  meshConfidence: number;
  points: Point2[];
  interOcularPx: number;
  expression: Expression;
  pose: HeadPose;
  luma: number;
  /** The pipeline's rule for a frame its action units may be read from (frontal, lit). */
  usable: boolean;
}

/** The patient's face as the pipeline would take it, or null where the pipeline sees no face. */
export async function readFace(models: FaceModels, image: RgbImage): Promise<FaceReading | null> {
  const frame = { ...image, tMs: 0 };
  const detections = await models.detect(frame, PIPELINE_DETECTOR);
  const chosen = choosePatientFace(detections, frame.width, frame.height);
  if (!chosen) return null;
  const cropBox = faceCropBox(chosen.box);
  const crop = models.crop(frame, cropBox);
  const { points, confidence } = await models.landmarks(crop, cropBox);
  if (confidence < PIPELINE_MIN_MESH_CONFIDENCE) return null;
  const expression = await models.expressionOf(crop);
  const pose = headPose(points);
  const { mean: luma, sd: lumaSd } = lumaStats(frame, chosen.box);
  return {
    detectorScore: chosen.score,
    box: chosen.box,
    meshConfidence: confidence,
    points: points.map((p) => [p[0], p[1]] as const),
    interOcularPx: interOcular(points),
    expression: { ...expression },
    pose,
    luma,
    usable: Math.abs(pose.yawDeg) <= USABLE.maxYawDeg && Math.abs(pose.pitchDeg) <= USABLE.maxPitchDeg && wellLit(luma, lumaSd),
  };
}
