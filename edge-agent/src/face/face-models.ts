/**
 * The three face models as the pipeline uses them: detector (BlazeFace), landmarks (FaceMesh) and
 * expression (FER2013 mini-Xception), each an OnnxModel verified against the manifest. Tensor
 * facts (names, sizes, anchors, class order) are @attune/models' (runtime/face-models.ts, and
 * models/<name>/MODEL_CARD.md).
 */
import {
  BLAZEFACE_INPUT_SIZE,
  EXPRESSION_CLASSES,
  FACE_DETECTOR_MODEL,
  FACE_EXPRESSION_INPUT_SIZE,
  FACE_EXPRESSION_MODEL,
  FACE_MESH_INPUT_SIZE,
  FACE_MESH_LANDMARKS,
  FACE_MESH_MODEL,
  blazeFaceAnchors,
  expressionInput,
  type ExpressionClass,
} from '@attune/models';
import { decodeBlazeFace, sigmoid, type Detection } from './blazeface.ts';
import type { Box } from './image-ops.ts';
import { cropAndResizeRgb, resizeBilinearRgb } from './image-ops.ts';
import type { Point3 } from './landmarks.ts';
import { OnnxModel, ort, type OnnxModelOptions } from './onnx-model.ts';
import type { RgbFrame } from '../sources/camera/frame.ts';
import type { ExpressionKey, ExpressionProbabilities } from './face-window.ts';

const DETECTOR_INPUT = BLAZEFACE_INPUT_SIZE;
const MESH_INPUT = FACE_MESH_INPUT_SIZE;
const EXPRESSION_INPUT = FACE_EXPRESSION_INPUT_SIZE;
/** The expression model's classes (oarriaga / FER2013 words) in the protocol's words. */
export const PROTOCOL_EXPRESSION: Record<ExpressionClass, ExpressionKey> = {
  angry: 'angry',
  disgust: 'disgusted',
  fear: 'fearful',
  happy: 'happy',
  sad: 'sad',
  surprise: 'surprised',
  neutral: 'neutral',
};

export interface DetectorSettings {
  minScore: number;
  iouThreshold: number;
  maxFaces: number;
}

export class FaceModels {
  private readonly anchors = blazeFaceAnchors(DETECTOR_INPUT);
  private readonly detBuf = new Float32Array(DETECTOR_INPUT * DETECTOR_INPUT * 3);
  private readonly cropBuf = new Float32Array(MESH_INPUT * MESH_INPUT * 3);
  private readonly exprBuf = new Float32Array(EXPRESSION_INPUT * EXPRESSION_INPUT);

  private constructor(
    readonly detector: OnnxModel,
    readonly mesh: OnnxModel,
    readonly expression: OnnxModel,
  ) {}

  /** Loads, verifies and warms up the three models. */
  static async load(options: OnnxModelOptions = {}): Promise<FaceModels> {
    const [detector, mesh, expression] = await Promise.all([
      OnnxModel.load(FACE_DETECTOR_MODEL, options),
      OnnxModel.load(FACE_MESH_MODEL, options),
      OnnxModel.load(FACE_EXPRESSION_MODEL, options),
    ]);
    const models = new FaceModels(detector, mesh, expression);
    await models.warmUp();
    return models;
  }

  /** name -> version, for the score window's `models`. */
  versions(): Record<string, string> {
    return Object.fromEntries([this.detector, this.mesh, this.expression].map((m) => [m.entry.name, m.entry.version]));
  }

  /** Sum of session.run time since the last call (ms). */
  takeModelMs(): number {
    const ms = this.detector.runMs + this.mesh.runMs + this.expression.runMs;
    this.detector.runMs = this.mesh.runMs = this.expression.runMs = 0;
    return ms;
  }

  private async warmUp(): Promise<void> {
    const frame: RgbFrame = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(128), tMs: 0 };
    await this.detect(frame, { minScore: 0.5, iouThreshold: 0.3, maxFaces: 1 });
    const crop = this.crop(frame, { x1: 0, y1: 0, x2: 48, y2: 48 });
    const lm = await this.landmarks(crop, { x1: 0, y1: 0, x2: 48, y2: 48 });
    if (lm.points.length !== FACE_MESH_LANDMARKS) {
      throw new Error(`face mesh warm-up returned ${lm.points.length} landmarks, expected ${FACE_MESH_LANDMARKS}`);
    }
    const p = await this.expressionOf(crop);
    const sum = Object.values(p).reduce((s, x) => s + x, 0);
    if (!(Math.abs(sum - 1) < 0.01)) throw new Error(`expression warm-up probabilities sum to ${sum}, expected 1`);
    this.takeModelMs();
  }

  async detect(frame: RgbFrame, s: DetectorSettings): Promise<Detection[]> {
    // Resized, not letterboxed, to the square input, and scaled to [-1, 1] (as Human feeds it).
    resizeBilinearRgb(frame, DETECTOR_INPUT, DETECTOR_INPUT, 1 / 127.5, -1, this.detBuf);
    const input = new ort.Tensor('float32', this.detBuf, [1, DETECTOR_INPUT, DETECTOR_INPUT, 3]);
    const out = await this.detector.run({ [this.detector.inputNames[0]!]: input });
    const scores16 = out.scores_stride16!.data as Float32Array;
    const scores32 = out.scores_stride32!.data as Float32Array;
    const boxes16 = out.boxes_stride16!.data as Float32Array;
    const boxes32 = out.boxes_stride32!.data as Float32Array;
    const logits = new Float32Array(scores16.length + scores32.length);
    logits.set(scores16);
    logits.set(scores32, scores16.length);
    const boxes = new Float32Array(boxes16.length + boxes32.length);
    boxes.set(boxes16);
    boxes.set(boxes32, boxes16.length);
    return decodeBlazeFace(logits, boxes, this.anchors, {
      inputSize: DETECTOR_INPUT,
      frameWidth: frame.width,
      frameHeight: frame.height,
      minScore: s.minScore,
      iouThreshold: s.iouThreshold,
      maxDetections: s.maxFaces,
    });
  }

  /** The 192x192 face crop in [0, 1] (shared by FaceMesh and the expression model). Reuses one buffer. */
  crop(frame: RgbFrame, cropBox: Box): Float32Array {
    return cropAndResizeRgb(frame, cropBox, MESH_INPUT, 1 / 255, this.cropBuf);
  }

  /** 468 landmarks in frame pixels (z in the same scale), and the mesh's face confidence 0..1. */
  async landmarks(crop: Float32Array, cropBox: Box): Promise<{ points: Point3[]; confidence: number }> {
    const input = new ort.Tensor('float32', crop, [1, MESH_INPUT, MESH_INPUT, 3]);
    const out = await this.mesh.run({ [this.mesh.inputNames[0]!]: input });
    const raw = out.landmarks!.data as Float32Array;
    const conf = (out.confidence!.data as Float32Array)[0]!;
    const k = (cropBox.x2 - cropBox.x1) / MESH_INPUT;
    const ky = (cropBox.y2 - cropBox.y1) / MESH_INPUT;
    const points: Point3[] = [];
    for (let i = 0; i + 2 < raw.length; i += 3) points.push([cropBox.x1 + raw[i]! * k, cropBox.y1 + raw[i + 1]! * ky, raw[i + 2]! * k]);
    // The face flag is a probability in the TF.js graph; accept a logit too, should a build emit one.
    return { points, confidence: conf >= 0 && conf <= 1 ? conf : sigmoid(conf) };
  }

  async expressionOf(crop: Float32Array): Promise<ExpressionProbabilities> {
    expressionInput(crop, MESH_INPUT, EXPRESSION_INPUT, this.exprBuf);
    const input = new ort.Tensor('float32', this.exprBuf, [1, EXPRESSION_INPUT, EXPRESSION_INPUT, 1]);
    const out = await this.expression.run({ [this.expression.inputNames[0]!]: input });
    const p = out.probabilities!.data as Float32Array;
    const result = {} as ExpressionProbabilities;
    EXPRESSION_CLASSES.forEach((c, i) => (result[PROTOCOL_EXPRESSION[c]] = p[i]!));
    return result;
  }

  async release(): Promise<void> {
    await Promise.all([this.detector.release(), this.mesh.release(), this.expression.release()]);
  }
}
