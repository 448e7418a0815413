/**
 * Converter unit tests, one tiny graph per TF op (and per layout path: fed straight from the NHWC
 * input, or from a convolution whose result the converter holds as NCHW), each compared with
 * TF.js executing the very same graph.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { seededUniform } from '../face-golden.ts';
import { halfToFloat, type TfAttrValue, type TfModelJson, type TfNode, type TfWeightEntry } from './tfjs-graph.ts';
import { convertTfjsGraphToOnnx, SUPPORTED_TF_OPS } from './tfjs-to-onnx.ts';
import { loadTfjsReference, runTfjsReference } from './tfjs-reference.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const A = {
  s: (v: string): TfAttrValue => ({ s: b64(v) }),
  i: (v: number): TfAttrValue => ({ i: String(v) }),
  f: (v: number): TfAttrValue => ({ f: v }),
  b: (v: boolean): TfAttrValue => ({ b: v }),
  ints: (v: number[]): TfAttrValue => ({ list: { i: v.map(String) } }),
  strs: (v: string[]): TfAttrValue => ({ list: { s: v.map(b64) } }),
  type: (v: string): TfAttrValue => ({ type: v }),
};

class TinyGraph {
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

function conv(o: {
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
async function check(g: TinyGraph, out: string, input?: Float32Array): Promise<number> {
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

const TOL = 1e-5;
type Case = [string, (g: TinyGraph, x: string) => string, number[]?];

const conv4: number[] = [1, 9, 9, 4];
const cases: Case[] = [
  ['Conv2D SAME stride 2', (g, x) => g.op('Conv2D', [x, g.rand([3, 3, 4, 5])], conv({ strides: [1, 2, 2, 1], padding: 'SAME' }))],
  [
    'Conv2D VALID dilation 2',
    (g, x) => g.op('Conv2D', [x, g.rand([3, 3, 4, 3])], conv({ strides: [1, 1, 1, 1], padding: 'VALID', dilations: [1, 2, 2, 1] })),
  ],
  [
    '_FusedConv2D BiasAdd',
    (g, x) =>
      g.op('_FusedConv2D', [x, g.rand([3, 3, 4, 6]), g.rand([6])], conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd'] })),
  ],
  [
    '_FusedConv2D BiasAdd+Relu',
    (g, x) =>
      g.op(
        '_FusedConv2D',
        [x, g.rand([2, 2, 4, 6]), g.rand([6])],
        conv({ strides: [1, 2, 2, 1], padding: 'SAME', fused: ['BiasAdd', 'Relu'], numArgs: 1 }),
      ),
  ],
  [
    '_FusedConv2D BiasAdd+Relu6',
    (g, x) =>
      g.op(
        '_FusedConv2D',
        [x, g.rand([3, 3, 4, 6], -3, 3), g.rand([6])],
        conv({ strides: [1, 1, 1, 1], padding: 'VALID', fused: ['BiasAdd', 'Relu6'], numArgs: 1 }),
      ),
  ],
  [
    '_FusedConv2D BiasAdd+Prelu (fp16 weights)',
    (g, x) =>
      g.op(
        '_FusedConv2D',
        [
          x,
          g.const([1, 1, 4, 6], seededUniform(24, 3, -1, 1), 'float32', 'float16'),
          g.rand([6]),
          g.const([1, 1, 6], seededUniform(6, 4, 0, 0.5), 'float32', 'float16'),
        ],
        conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd', 'Prelu'], numArgs: 2 }),
      ),
  ],
  [
    '_FusedConv2D BiasAdd+LeakyRelu (uint8 weights)',
    (g, x) =>
      g.op('_FusedConv2D', [x, g.const([3, 3, 4, 2], seededUniform(72, 5, -1, 1), 'float32', 'uint8'), g.rand([2])], {
        ...conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd', 'LeakyRelu'], numArgs: 1 }),
        leakyrelu_alpha: A.f(0.1),
      }),
  ],
  [
    'DepthwiseConv2dNative SAME stride 2',
    (g, x) => g.op('DepthwiseConv2dNative', [x, g.rand([3, 3, 4, 1])], conv({ strides: [1, 2, 2, 1], padding: 'SAME' })),
  ],
  [
    'DepthwiseConv2dNative multiplier 2',
    (g, x) => g.op('DepthwiseConv2dNative', [x, g.rand([5, 5, 4, 2])], conv({ strides: [1, 1, 1, 1], padding: 'SAME' })),
  ],
  [
    'FusedDepthwiseConv2dNative BiasAdd+Relu6',
    (g, x) =>
      g.op(
        'FusedDepthwiseConv2dNative',
        [x, g.rand([3, 3, 4, 1], -3, 3), g.rand([4])],
        conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd', 'Relu6'], numArgs: 1 }),
      ),
  ],
  ['BiasAdd', (g, x) => g.op('BiasAdd', [x, g.rand([4])], { data_format: A.s('NHWC') })],
  ['Add per-channel const', (g, x) => g.op('Add', [x, g.rand([4])])],
  ['AddV2 tensor+tensor', (g, x) => g.op('AddV2', [x, g.op('Relu', [x])])],
  ['Sub const-first', (g, x) => g.op('Sub', [g.rand([1, 1, 4]), x])],
  ['Mul scalar', (g, x) => g.op('Mul', [x, g.const([], [1.7])])],
  ['RealDiv per-channel', (g, x) => g.op('RealDiv', [x, g.rand([4], 0.5, 2)])],
  ['Maximum', (g, x) => g.op('Maximum', [x, g.rand([9, 4])])],
  ['Minimum', (g, x) => g.op('Minimum', [x, g.const([], [0.3])])],
  ['AddN', (g, x) => g.op('AddN', [x, g.op('Sigmoid', [x]), g.op('Tanh', [x])], { N: A.i(3) })],
  [
    'FusedBatchNormV3',
    (g, x) =>
      g.op('FusedBatchNormV3', [x, g.rand([4], 0.5, 1.5), g.rand([4]), g.rand([4]), g.rand([4], 0.5, 2)], {
        epsilon: A.f(0.001),
        is_training: A.b(false),
        data_format: A.s('NHWC'),
      }),
  ],
  ['Relu', (g, x) => g.op('Relu', [x])],
  ['Relu6', (g, x) => g.op('Relu6', [g.op('Mul', [x, g.const([], [4])])])],
  ['Elu', (g, x) => g.op('Elu', [x])],
  ['LeakyRelu', (g, x) => g.op('LeakyRelu', [x], { alpha: A.f(0.2) })],
  ['Sigmoid (saturated inputs)', (g, x) => g.op('Sigmoid', [g.op('Mul', [x, g.const([], [12])])])],
  ['Tanh', (g, x) => g.op('Tanh', [x])],
  ['Neg', (g, x) => g.op('Neg', [x])],
  ['Exp', (g, x) => g.op('Exp', [x])],
  ['Sqrt', (g, x) => g.op('Sqrt', [g.op('Relu', [x])])],
  ['Rsqrt', (g, x) => g.op('Rsqrt', [g.op('AddV2', [g.op('Relu', [x]), g.const([], [0.5])])])],
  ['Square', (g, x) => g.op('Square', [x])],
  ['Prelu (alpha from folded Neg)', (g, x) => g.op('Prelu', [x, g.op('Neg', [g.rand([1, 1, 4], -0.5, 0)])])],
  ['Pad (channels, as BlazeFace)', (g, x) => g.op('Pad', [x, g.const([4, 2], [0, 0, 0, 0, 0, 0, 0, 3], 'int32')])],
  ['Pad (spatial)', (g, x) => g.op('Pad', [x, g.const([4, 2], [0, 0, 1, 2, 2, 1, 0, 0], 'int32')])],
  ['PadV2', (g, x) => g.op('PadV2', [x, g.const([4, 2], [0, 0, 1, 1, 0, 2, 0, 0], 'int32'), g.const([], [0.5])])],
  ['MirrorPad REFLECT', (g, x) => g.op('MirrorPad', [x, g.const([4, 2], [0, 0, 2, 1, 1, 2, 0, 0], 'int32')], { mode: A.s('REFLECT') })],
  [
    'MaxPool SAME 3x3/2',
    (g, x) =>
      g.op('MaxPool', [x], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') }),
  ],
  [
    'MaxPool VALID 2x2/2',
    (g, x) =>
      g.op('MaxPool', [x], { ksize: A.ints([1, 2, 2, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('VALID'), data_format: A.s('NHWC') }),
  ],
  [
    'AvgPool SAME 3x3/2',
    (g, x) =>
      g.op('AvgPool', [x], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') }),
  ],
  ['Reshape (BlazeFace head)', (g, x) => g.op('Reshape', [x, g.ints([1, -1, 2])])],
  ['Squeeze', (g, x) => g.op('Squeeze', [g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(true) })], { squeeze_dims: A.ints([1, 2]) })],
  ['ExpandDims', (g, x) => g.op('ExpandDims', [g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(false) }), g.scalarInt(1)])],
  ['ConcatV2 channels', (g, x) => g.op('ConcatV2', [x, g.op('Relu', [x]), g.scalarInt(3)], { N: A.i(2) })],
  ['ConcatV2 width', (g, x) => g.op('ConcatV2', [x, g.op('Neg', [x]), g.scalarInt(-2)], { N: A.i(2) })],
  [
    'StridedSlice masks and steps',
    (g, x) =>
      g.op('StridedSlice', [x, g.ints([0, 1, 0, 1]), g.ints([1, 8, 9, 3]), g.ints([1, 2, 1, 1])], {
        begin_mask: A.i(5),
        end_mask: A.i(5),
        shrink_axis_mask: A.i(0),
        ellipsis_mask: A.i(0),
        new_axis_mask: A.i(0),
      }),
  ],
  [
    'StridedSlice shrink last axis',
    (g, x) =>
      g.op('StridedSlice', [x, g.ints([0, 0, 2, 2]), g.ints([1, 9, -1, 3]), g.ints([1, 1, 1, 1])], {
        begin_mask: A.i(3),
        end_mask: A.i(3),
        shrink_axis_mask: A.i(8),
        ellipsis_mask: A.i(0),
        new_axis_mask: A.i(0),
      }),
  ],
  ['Transpose', (g, x) => g.op('Transpose', [x, g.ints([0, 3, 1, 2])])],
  ['Mean spatial (global average pool)', (g, x) => g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(false) })],
  ['Mean channels keep_dims', (g, x) => g.op('Mean', [x, g.ints([3])], { keep_dims: A.b(true) })],
  ['Mean height', (g, x) => g.op('Mean', [x, g.ints([1])], { keep_dims: A.b(false) })],
  ['Sum', (g, x) => g.op('Sum', [x, g.ints([2, 3])], { keep_dims: A.b(false) })],
  ['Max', (g, x) => g.op('Max', [x, g.ints([-1])], { keep_dims: A.b(true) })],
  ['Softmax (rank 4, last axis)', (g, x) => g.op('Softmax', [x])],
  ['Softmax after Mean', (g, x) => g.op('Softmax', [g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(false) })])],
  ['ResizeBilinear', (g, x) => g.op('ResizeBilinear', [x, g.ints([14, 5])], { align_corners: A.b(false), half_pixel_centers: A.b(false) })],
  [
    'ResizeBilinear align_corners',
    (g, x) => g.op('ResizeBilinear', [x, g.ints([5, 17])], { align_corners: A.b(true), half_pixel_centers: A.b(false) }),
  ],
  [
    'ResizeBilinear half_pixel_centers',
    (g, x) => g.op('ResizeBilinear', [x, g.ints([13, 6])], { align_corners: A.b(false), half_pixel_centers: A.b(true) }),
  ],
  ['Identity / StopGradient chain', (g, x) => g.op('Identity', [g.op('StopGradient', [g.op('Relu', [x])])])],
];

describe('tfjs-to-onnx: one graph per op, compared with TF.js', () => {
  for (const [label, build] of cases) {
    for (const via of ['input (NHWC)', 'conv output (held NCHW)'] as const) {
      it(`${label} fed from the ${via}`, async () => {
        const g = new TinyGraph(conv4);
        const src = via === 'input (NHWC)' ? 'x' : g.conv1x1('x', 4, 4);
        const out = build(g, src);
        expect(await check(g, out)).toBeLessThan(TOL);
      });
    }
  }

  it('MatMul and _FusedMatMul (transpose_b, BiasAdd+Relu) on rank 2', async () => {
    const g = new TinyGraph([3, 5]);
    const mm = g.op('MatMul', ['x', g.rand([5, 4])], { transpose_a: A.b(false), transpose_b: A.b(false) });
    expect(await check(g, mm)).toBeLessThan(TOL);
    const g2 = new TinyGraph([3, 5]);
    const fm = g2.op('_FusedMatMul', ['x', g2.rand([6, 5]), g2.rand([6])], {
      transpose_a: A.b(false),
      transpose_b: A.b(true),
      fused_ops: A.strs(['BiasAdd', 'Relu']),
      num_args: A.i(1),
      epsilon: A.f(0),
    });
    expect(await check(g2, fm)).toBeLessThan(TOL);
  });

  it('a dynamic batch dimension stays symbolic and runs with batch 3', async () => {
    const g = new TinyGraph([-1, 6, 6, 2]);
    const c = g.op(
      '_FusedConv2D',
      ['x', g.rand([3, 3, 2, 3]), g.rand([3])],
      conv({ strides: [1, 2, 2, 1], padding: 'SAME', fused: ['BiasAdd', 'Relu'], numArgs: 1 }),
    );
    const r = g.op('Reshape', [c, g.ints([-1, 27])]);
    const res = convertTfjsGraphToOnnx(g.model(), () => g.shard(), {
      graphName: 't',
      inputs: [{ tfName: 'x', name: 'x' }],
      outputs: [{ tfName: r, name: 'y' }],
    });
    expect(res.inputs[0]!.shape).toEqual(['N', 6, 6, 2]);
    expect(res.outputs[0]!.shape).toEqual(['N', 27]);
    const shape = [3, 6, 6, 2];
    const data = seededUniform(216, 11, -1, 1);
    const session = await ort.InferenceSession.create(res.bytes);
    const got = (await session.run({ x: new ort.Tensor('float32', data, shape) })).y!;
    const ref = await loadTfjsReference(g.model(), () => g.shard());
    const [want] = await runTfjsReference(ref, { data, shape, name: 'x' }, [r]);
    expect(got.dims).toEqual([3, 27]);
    const a = got.data as Float32Array;
    want!.data.forEach((v, i) => expect(Math.abs(v - a[i]!)).toBeLessThan(1e-5));
  });

  it('decodes float16 exactly, including subnormals and infinities', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('rejects unsupported ops with the op and node name', () => {
    const g = new TinyGraph([1, 2, 2, 1]);
    const bad = g.op('Cumsum', ['x', g.scalarInt(1)]);
    expect(() =>
      convertTfjsGraphToOnnx(g.model(), () => g.shard(), {
        graphName: 't',
        inputs: [{ tfName: 'x', name: 'x' }],
        outputs: [{ tfName: bad, name: 'y' }],
      }),
    ).toThrow(/unsupported TF op Cumsum \(node cumsum_/);
    expect(SUPPORTED_TF_OPS).toContain('_FusedConv2D');
  });
});
