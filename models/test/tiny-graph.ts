/**
 * Test helpers for the converter's unit tests: TinyGraph builds a small TF.js graph model in
 * memory (Placeholder "x", constants as weights, one op per call), and check() converts it, runs
 * it on onnxruntime and on TF.js, and returns the relative difference. describeOpCases() runs a
 * list of one-op graphs fed both from the NHWC input and from a convolution (held NCHW).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { seededUniform } from '../src/tools/face-golden.ts';
import type { TfAttrValue, TfModelJson, TfNode, TfWeightEntry } from '../src/tools/convert/tfjs-graph.ts';
import { convertTfjsGraphToOnnx } from '../src/tools/convert/tfjs-to-onnx.ts';
import { loadTfjsReference, runTfjsReference } from '../src/tools/convert/tfjs-reference.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
export const A = {
  s: (v: string): TfAttrValue => ({ s: b64(v) }),
  i: (v: number): TfAttrValue => ({ i: String(v) }),
  f: (v: number): TfAttrValue => ({ f: v }),
  b: (v: boolean): TfAttrValue => ({ b: v }),
  ints: (v: number[]): TfAttrValue => ({ list: { i: v.map(String) } }),
  strs: (v: string[]): TfAttrValue => ({ list: { s: v.map(b64) } }),
  type: (v: string): TfAttrValue => ({ type: v }),
};

export class TinyGraph {
  readonly nodes: TfNode[] = [];
  readonly weights: TfWeightEntry[] = [];
  private readonly chunks: Uint8Array[] = [];
  private n = 0;

  constructor(readonly inputShape: number[]) {
    this.nodes.push({
      name: 'x',
      op: 'Placeholder',
      attr: { dtype: A.type('DT_FLOAT'), shape: { shape: { dim: inputShape.map((d) => ({ size: String(d) })) } } },
    });
  }

  const(shape: number[], values: ArrayLike<number>, dtype: 'float32' | 'int32' = 'float32', quant?: 'float16' | 'uint8'): string {
    const name = `c${this.n++}`;
    const dt = dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    this.nodes.push({
      name,
      op: 'Const',
      attr: { dtype: A.type(dt), value: { tensor: { dtype: dt, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } },
    });
    const entry: TfWeightEntry = { name, shape, dtype };
    if (quant === 'float16') {
      entry.quantization = { dtype: 'float16', original_dtype: 'float32' };
      const h = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) h[i] = toHalf(values[i]!);
      this.chunks.push(new Uint8Array(h.buffer));
    } else if (quant === 'uint8') {
      const min = Math.min(...Array.from(values));
      const max = Math.max(...Array.from(values));
      const scale = (max - min) / 255 || 1;
      entry.quantization = { dtype: 'uint8', scale, min, original_dtype: 'float32' };
      this.chunks.push(Uint8Array.from(values, (v) => Math.round((v - min) / scale)));
    } else if (dtype === 'int32') {
      this.chunks.push(new Uint8Array(Int32Array.from(values).buffer));
    } else {
      this.chunks.push(new Uint8Array(Float32Array.from(values).buffer));
    }
    this.weights.push(entry);
    return name;
  }

  rand(shape: number[], lo = -1, hi = 1): string {
    return this.const(
      shape,
      seededUniform(
        shape.reduce((a, b) => a * b, 1),
        7 + this.n,
        lo,
        hi,
      ),
    );
  }

  ints(values: number[]): string {
    return this.const([values.length], values, 'int32');
  }

  scalarInt(v: number): string {
    return this.const([], [v], 'int32');
  }

  op(op: string, inputs: string[], attr: Record<string, TfAttrValue> = {}): string {
    const name = `${op.toLowerCase()}_${this.n++}`;
    this.nodes.push({ name, op, input: inputs, attr: { T: A.type('DT_FLOAT'), ...attr } });
    return name;
  }

  /** A 1x1 convolution: its output is held NCHW by the converter. */
  conv1x1(x: string, cin: number, cout: number): string {
    return this.op('Conv2D', [x, this.rand([1, 1, cin, cout])], conv({ strides: [1, 1, 1, 1], padding: 'VALID' }));
  }

  model(): TfModelJson {
    return {
      format: 'graph-model',
      modelTopology: { node: this.nodes, versions: { producer: 1395 } },
      weightsManifest: [{ paths: ['w.bin'], weights: this.weights }],
    };
  }

  shard(): Uint8Array {
    const total = this.chunks.reduce((a, c) => a + c.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = (u >>> 13) & 0x3ff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | mant;
}

export function conv(o: {
  strides: number[];
  padding: string;
  dilations?: number[];
  fused?: string[];
  numArgs?: number;
}): Record<string, TfAttrValue> {
  const a: Record<string, TfAttrValue> = {
    strides: A.ints(o.strides),
    padding: A.s(o.padding),
    data_format: A.s('NHWC'),
    dilations: A.ints(o.dilations ?? [1, 1, 1, 1]),
    explicit_paddings: { list: {} },
  };
  if (o.fused) {
    a.fused_ops = A.strs(o.fused);
    a.num_args = A.i(o.numArgs ?? o.fused.length);
    a.epsilon = A.f(0);
  }
  return a;
}

/** Converts, runs both and returns max|diff| / max|ref|. */
export async function check(g: TinyGraph, out: string, input?: Float32Array): Promise<number> {
  const model = g.model();
  const shard = g.shard();
  const res = convertTfjsGraphToOnnx(model, () => shard, {
    graphName: 't',
    inputs: [{ tfName: 'x', name: 'x' }],
    outputs: [{ tfName: out, name: 'y' }],
  });
  const n = g.inputShape.reduce((a, b) => a * b, 1);
  const data = input ?? seededUniform(n, 99, -2, 2);
  const session = await ort.InferenceSession.create(res.bytes);
  const got = (await session.run({ x: new ort.Tensor('float32', data, g.inputShape) })).y!;
  await session.release();
  const ref = await loadTfjsReference(model, () => shard);
  const [want] = await runTfjsReference(ref, { data, shape: g.inputShape, name: 'x' }, [out]);
  ref.dispose();
  expect(got.dims).toEqual(want!.shape);
  const a = got.data as Float32Array;
  let diff = 0;
  let scale = 0;
  want!.data.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - a[i]!));
    scale = Math.max(scale, Math.abs(v));
  });
  return scale === 0 ? diff : diff / scale;
}

export const TOL = 1e-5;
export type Case = [string, (g: TinyGraph, x: string) => string, number[]?];

/** The shape cases are fed with: NHWC, 9x9, 4 channels. */
export const CASE_INPUT_SHAPE: number[] = [1, 9, 9, 4];

/** One test per case and feeding path: from the input (NHWC) and from a 1x1 convolution (held NCHW). */
export function describeOpCases(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [label, build] of cases) {
      for (const via of ['input (NHWC)', 'conv output (held NCHW)'] as const) {
        it(`${label} fed from the ${via}`, async () => {
          const g = new TinyGraph(CASE_INPUT_SHAPE);
          const src = via === 'input (NHWC)' ? 'x' : g.conv1x1('x', 4, 4);
          const out = build(g, src);
          expect(await check(g, out)).toBeLessThan(TOL);
        });
      }
    }
  });
}
