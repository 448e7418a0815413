/**
 * A converter from TF.js graph models (model.json + weight shards) to ONNX, written with the
 * `onnx-proto` encoder. It walks the TensorFlow graph backwards from the requested outputs, maps
 * each TF op to ONNX ops and writes a deterministic ModelProto (same input, same bytes).
 *
 * Layout: TF graphs are NHWC, ONNX convolutions and pools are NCHW. Every value carries its
 * logical (TF, NHWC) shape and the physical layout its ONNX tensor has. Convolutions and pools
 * produce NCHW tensors; element-wise ops keep whatever layout they are given (per-channel
 * constants are permuted to match); ops whose meaning depends on axis order (Reshape, Softmax,
 * Transpose, StridedSlice, ...) see NHWC, with a Transpose inserted only where the layout
 * changes. The model's interface stays NHWC, exactly as the TF.js model's.
 *
 * Constants are folded where an op's inputs are all constant (shape arithmetic, negated PReLU
 * slopes, ...), and consts feeding shape-like inputs (paddings, shapes, axes) are read at
 * conversion time, never left to the runtime.
 */
import onnxProto from 'onnx-proto';
import {
  attrBool,
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  attrStrings,
  decodeWeights,
  parseInputRef,
  placeholderShape,
  sizeOf,
  type ConstTensor,
  type TfModelJson,
  type TfNode,
} from './tfjs-graph.ts';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type AttributeProto = InstanceType<typeof onnx.AttributeProto>;

/** ONNX IR 8 / opset 13: supported by onnxruntime 1.10 and later, and by onnx-proto 8. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;
export const CONVERTER_VERSION = '1.0.0';

/** Every TF op this converter maps (Const/Placeholder included). */
export const SUPPORTED_TF_OPS = [
  'Const',
  'Placeholder',
  'Identity',
  'IdentityN',
  'StopGradient',
  'Conv2D',
  '_FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2dNative',
  'MatMul',
  '_FusedMatMul',
  'BiasAdd',
  'FusedBatchNorm',
  'FusedBatchNormV3',
  'Add',
  'AddV2',
  'AddN',
  'Sub',
  'Mul',
  'RealDiv',
  'Maximum',
  'Minimum',
  'Relu',
  'Relu6',
  'Elu',
  'LeakyRelu',
  'Prelu',
  'Sigmoid',
  'Tanh',
  'Neg',
  'Exp',
  'Sqrt',
  'Rsqrt',
  'Square',
  'Pad',
  'PadV2',
  'MirrorPad',
  'MaxPool',
  'AvgPool',
  'Reshape',
  'Squeeze',
  'ExpandDims',
  'ConcatV2',
  'StridedSlice',
  'Transpose',
  'Mean',
  'Sum',
  'Max',
  'Softmax',
  'ResizeBilinear',
] as const;

export interface ConvertIo {
  /** TF node name (a Placeholder for inputs; any node, usually an Identity, for outputs). */
  tfName: string;
  /** Tensor name in the ONNX model. */
  name: string;
}

export interface ConvertOptions {
  graphName: string;
  inputs: ConvertIo[];
  outputs: ConvertIo[];
  docString?: string;
  modelVersion?: number;
  /** Name used for unknown (batch) dimensions in the ONNX interface. */
  batchDimName?: string;
  metadata?: Record<string, string>;
}

export interface ConvertedTensorSpec {
  name: string;
  type: 'float32';
  shape: (number | string)[];
}

export interface ConvertResult {
  bytes: Uint8Array;
  inputs: ConvertedTensorSpec[];
  outputs: ConvertedTensorSpec[];
  /** TF ops met in the converted part of the graph, with counts. */
  tfOps: Record<string, number>;
  onnxOps: Record<string, number>;
}

type Layout = 'nhwc' | 'nchw';

interface Value {
  /** ONNX tensor name (for constants: the TF name; emitted lazily as initializers). */
  name: string;
  /** Logical TF shape; -1 = unknown. */
  shape: number[];
  layout: Layout;
  dtype: 'float32' | 'int32' | 'bool';
  konst?: ConstTensor;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function permute<T>(xs: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => xs[p]!);
}

/** Transposes row-major data of `shape` by `perm` (output dim i = input dim perm[i]). */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = permute(shape, perm);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  const strideForOut = perm.map((p) => inStrides[p]!);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d]! * strideForOut[d]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === 1) out.push(db);
    else if (db === 1 || da === db) out.push(da);
    else if (da === -1 || db === -1) out.push(Math.max(da, db));
    else throw new Error(`cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
  }
  return out;
}

/** Element-wise binary op on constants with NumPy broadcasting (constant folding). */
function foldBinary(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const n = sizeOf(shape);
  const isInt = a.dtype === 'int32' && b.dtype === 'int32';
  const data = isInt ? new Int32Array(n) : new Float32Array(n);
  const rank = shape.length;
  const strides = (s: number[]) => {
    const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      st[i] = padded[i] === 1 ? 0 : acc;
      acc *= padded[i]!;
    }
    return st;
  };
  const sa = strides(a.shape);
  const sb = strides(b.shape);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += idx[d]! * sa[d]!;
      ib += idx[d]! * sb[d]!;
    }
    data[o] = f(a.data[ia]!, b.data[ib]!);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { dtype: isInt ? 'int32' : 'float32', shape, data };
}

const FOLD_BINARY: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  AddV2: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  RealDiv: (x, y) => x / y,
  Maximum: (x, y) => Math.max(x, y),
  Minimum: (x, y) => Math.min(x, y),
};

const FOLD_UNARY: Record<string, (x: number) => number> = {
  Neg: (x) => -x,
  Relu: (x) => Math.max(0, x),
  Relu6: (x) => Math.min(6, Math.max(0, x)),
  Sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  Tanh: (x) => Math.tanh(x),
  Exp: (x) => Math.exp(x),
  Sqrt: (x) => Math.sqrt(x),
  Rsqrt: (x) => 1 / Math.sqrt(x),
  Square: (x) => x * x,
  Identity: (x) => x,
  StopGradient: (x) => x,
};

function attr(name: string, value: number | number[] | string | Float32Array | number[][], kind?: 'float' | 'floats'): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') {
    if (kind === 'float') return onnx.AttributeProto.create({ name, type: T.FLOAT, f: value });
    return onnx.AttributeProto.create({ name, type: T.INT, i: value });
  }
  if (kind === 'floats') return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: Array.from(value as number[]) });
  return onnx.AttributeProto.create({ name, type: T.INTS, ints: Array.from(value as number[]) });
}

function rawTensor(name: string, dims: number[], dtype: 'float32' | 'int32' | 'int64', values: ArrayLike<number> | bigint[]): TensorProto {
  const DT = onnx.TensorProto.DataType;
  let raw: Uint8Array;
  let dataType: number;
  if (dtype === 'int64') {
    const arr = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = (values as ArrayLike<number | bigint>)[i]!;
      arr[i] = typeof v === 'bigint' ? v : BigInt(v);
    }
    raw = new Uint8Array(arr.buffer);
    dataType = DT.INT64;
  } else if (dtype === 'int32') {
    raw = new Uint8Array(Int32Array.from(values as ArrayLike<number>).buffer);
    dataType = DT.INT32;
  } else {
    raw = new Uint8Array(Float32Array.from(values as ArrayLike<number>).buffer);
    dataType = DT.FLOAT;
  }
  return onnx.TensorProto.create({ name, dims, dataType, rawData: raw });
}

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

/** TF 'SAME'/'VALID'/'EXPLICIT' padding to ONNX [begin..., end...] pads for 2 spatial dims. */
function spatialPads(
  node: TfNode,
  inHW: [number, number],
  kernelHW: [number, number],
  stridesHW: [number, number],
  dilationsHW: [number, number],
): { pads: number[]; outHW: [number, number] } {
  const padding = attrString(node, 'padding');
  const pads = [0, 0, 0, 0];
  const outHW: [number, number] = [0, 0];
  for (let d = 0; d < 2; d++) {
    const size = inHW[d]!;
    if (size < 0) throw new Error(`${node.op} ${node.name}: spatial dims must be static (got ${size})`);
    const eff = (kernelHW[d]! - 1) * dilationsHW[d]! + 1;
    const s = stridesHW[d]!;
    if (padding === 'SAME') {
      const out = Math.ceil(size / s);
      const total = Math.max((out - 1) * s + eff - size, 0);
      pads[d] = Math.floor(total / 2);
      pads[d + 2] = total - pads[d]!;
      outHW[d] = out;
    } else if (padding === 'VALID') {
      outHW[d] = Math.floor((size - eff) / s) + 1;
    } else if (padding === 'EXPLICIT') {
      const ep = attrInts(node, 'explicit_paddings');
      pads[d] = ep[2 * (d + 1)]!;
      pads[d + 2] = ep[2 * (d + 1) + 1]!;
      outHW[d] = Math.floor((size + pads[d]! + pads[d + 2]! - eff) / s) + 1;
    } else {
      throw new Error(`${node.op} ${node.name}: unsupported padding ${padding}`);
    }
  }
  return { pads, outHW };
}

class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly usedNames = new Set<string>();
  readonly onnxOps: Record<string, number> = {};

  unique(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  reserve(name: string): void {
    this.usedNames.add(name);
  }

  initializer(name: string, dims: number[], dtype: 'float32' | 'int32' | 'int64', values: ArrayLike<number> | bigint[]): string {
    if (!this.initializerNames.has(name)) {
      this.initializerNames.add(name);
      this.usedNames.add(name);
      this.initializers.push(rawTensor(name, dims, dtype, values));
    }
    return name;
  }

  int64s(base: string, values: (number | bigint)[]): string {
    const key = `${base}=${values.map(String).join(',')}`;
    return this.initializer(
      key,
      [values.length],
      'int64',
      values.map((v) => (typeof v === 'bigint' ? v : BigInt(v))),
    );
  }

  node(opType: string, inputs: string[], outputs: string[], name: string, attributes: AttributeProto[] = []): void {
    this.onnxOps[opType] = (this.onnxOps[opType] ?? 0) + 1;
    this.nodes.push(
      onnx.NodeProto.create({ name: this.unique(`node:${name}`), opType, input: inputs, output: outputs, attribute: attributes }),
    );
  }
}

/**
 * Converts a TF.js graph model. `readShard` returns the bytes of a weight shard named in the
 * model's weights manifest (e.g. "blazeface.bin").
 */
export function convertTfjsGraphToOnnx(
  model: TfModelJson,
  readShard: (path: string) => Uint8Array,
  options: ConvertOptions,
): ConvertResult {
  const weights = decodeWeights(model, readShard);
  const byName = new Map<string, TfNode>();
  for (const n of model.modelTopology.node) byName.set(n.name, n);
  const g = new OnnxGraphBuilder();
  const values = new Map<string, Value>();
  const layoutCache = new Map<string, string>();
  const tfOps: Record<string, number> = {};
  const batchName = options.batchDimName ?? 'N';
  const inputNameOf = new Map(options.inputs.map((i) => [i.tfName, i.name]));
  for (const io of [...options.inputs, ...options.outputs]) g.reserve(io.name);

  const key = (node: string, index: number) => `${node}:${index}`;

  // --- layout helpers ----------------------------------------------------------------------
  const inLayout = (v: Value, want: Layout): string => {
    if (v.konst) return constInitializer(v, want);
    if (v.shape.length !== 4 || v.layout === want) return v.name;
    const k = `${v.name}#${want}`;
    const cached = layoutCache.get(k);
    if (cached) return cached;
    const out = g.unique(`${v.name}/to_${want}`);
    g.node('Transpose', [v.name], [out], out, [attr('perm', want === 'nchw' ? NHWC_TO_NCHW : NCHW_TO_NHWC)]);
    layoutCache.set(k, out);
    return out;
  };
  const nhwc = (v: Value) => inLayout(v, 'nhwc');

  /** A constant as an ONNX initializer, broadcast-compatible with a tensor in `layout`. */
  const constInitializer = (v: Value, layout: Layout, rankOfPartner = 4): string => {
    const c = v.konst!;
    const dtype = c.dtype === 'float32' ? 'float32' : 'int32';
    if (layout === 'nchw' && rankOfPartner === 4 && c.shape.length > 0 && sizeOf(c.shape) > 1) {
      const shape4 = [...new Array<number>(4 - c.shape.length).fill(1), ...c.shape];
      const data = transposeData(c.data, shape4, NHWC_TO_NCHW);
      return g.initializer(`${v.name}#nchw`, permute(shape4, NHWC_TO_NCHW), dtype, data);
    }
    return g.initializer(v.name, c.shape, dtype, c.data);
  };

  const constOf = (v: Value, what: string, node: TfNode): ConstTensor => {
    if (!v.konst) throw new Error(`${node.op} ${node.name}: ${what} must be a constant`);
    return v.konst;
  };

  const setOut = (node: TfNode, v: Omit<Value, 'name'> & { name?: string }, index = 0): void => {
    values.set(key(node.name, index), { name: v.name ?? node.name, ...v } as Value);
  };

  const newName = (node: TfNode, suffix?: string) => g.unique(suffix ? `${node.name}/${suffix}` : node.name);

  /**
   * Sigmoid as 1 / (1 + exp(-x)). onnxruntime's Sigmoid kernel (MLAS logistic) is a polynomial
   * accurate to ~4e-8 absolute, so a saturated output such as FaceMesh's face flag on a non-face
   * (~1e-5) is off by ~1e-3 relative; this form keeps TF's full relative precision (exp overflow
   * gives 1/inf = 0, the right limit). Four cheap element-wise ops.
   */
  const sigmoid = (x: string, outName: string): void => {
    const neg = g.unique(`${outName}/neg`);
    const exp = g.unique(`${outName}/exp`);
    const den = g.unique(`${outName}/den`);
    g.node('Neg', [x], [neg], neg);
    g.node('Exp', [neg], [exp], exp);
    g.node('Add', [exp, g.initializer('const/1f', [], 'float32', [1])], [den], den);
    g.node('Reciprocal', [den], [outName], outName);
  };

  // --- activation after conv/matmul --------------------------------------------------------
  const activation = (
    node: TfNode,
    op: string,
    x: string,
    alpha: Value | undefined,
    layout: Layout,
    rank: number,
    outName: string,
  ): void => {
    switch (op) {
      case 'Relu':
        g.node('Relu', [x], [outName], outName);
        return;
      case 'Relu6':
        g.node(
          'Clip',
          [x, g.initializer('const/0f', [], 'float32', [0]), g.initializer('const/6f', [], 'float32', [6])],
          [outName],
          outName,
        );
        return;
      case 'Elu':
        g.node('Elu', [x], [outName], outName, [attr('alpha', 1, 'float')]);
        return;
      case 'Sigmoid':
        sigmoid(x, outName);
        return;
      case 'Tanh':
        g.node('Tanh', [x], [outName], outName);
        return;
      case 'LeakyRelu':
        g.node('LeakyRelu', [x], [outName], outName, [attr('alpha', attrFloat(node, 'leakyrelu_alpha', 0.2), 'float')]);
        return;
      case 'Prelu': {
        if (!alpha) throw new Error(`${node.op} ${node.name}: Prelu needs an alpha argument`);
        const slope = alpha.konst ? constInitializer(alpha, layout, rank) : inLayout(alpha, layout);
        g.node('PRelu', [x, slope], [outName], outName);
        return;
      }
      default:
        throw new Error(`${node.op} ${node.name}: unsupported fused activation ${op}`);
    }
  };

  // --- op handlers -------------------------------------------------------------------------
  const convLike = (node: TfNode, ins: Value[], depthwise: boolean, fusedOps: string[]): void => {
    const [x, filterV] = ins as [Value, Value];
    const f = constOf(filterV, 'the filter', node);
    if ((node.attr?.data_format && attrString(node, 'data_format', 'NHWC') !== 'NHWC') || x.shape.length !== 4) {
      throw new Error(`${node.op} ${node.name}: only NHWC 4-D convolutions are supported`);
    }
    const [kh, kw, cin, cx] = f.shape as [number, number, number, number];
    const strides = attrInts(node, 'strides', [1, 1, 1, 1]);
    const dil = attrInts(node, 'dilations', [1, 1, 1, 1]);
    const { pads, outHW } = spatialPads(node, [x.shape[1]!, x.shape[2]!], [kh, kw], [strides[1]!, strides[2]!], [dil[1]!, dil[2]!]);
    const cout = depthwise ? cin * cx : cx;
    // ONNX weights: [cout, cin/group, kh, kw].
    let w: Float32Array;
    let wShape: number[];
    if (depthwise) {
      // TF [kh, kw, cin, mult] -> ONNX [cin*mult, 1, kh, kw], output channel = c*mult + m.
      w = transposeData(f.data as Float32Array, [kh, kw, cin, cx], [2, 3, 0, 1]);
      wShape = [cin * cx, 1, kh, kw];
    } else {
      const groups = x.shape[3]! > 0 ? x.shape[3]! / cin : 1;
      if (groups !== 1) throw new Error(`${node.op} ${node.name}: grouped convolutions are not supported`);
      w = transposeData(f.data as Float32Array, [kh, kw, cin, cx], [3, 2, 0, 1]);
      wShape = [cx, cin, kh, kw];
    }
    const wName = g.initializer(`${filterV.name}#oihw`, wShape, 'float32', w);
    const convIns = [inLayout(x, 'nchw'), wName];
    let rest = fusedOps;
    let argIndex = 2;
    if (rest[0] === 'BiasAdd') {
      const b = constOf(ins[argIndex]!, 'the bias', node);
      convIns.push(g.initializer(ins[argIndex]!.name, [cout], 'float32', b.data));
      argIndex++;
      rest = rest.slice(1);
    } else if (rest.length > 0) {
      throw new Error(`${node.op} ${node.name}: fused ops ${rest.join('+')} are not supported`);
    }
    const attrs = [
      attr('kernel_shape', [kh, kw]),
      attr('strides', [strides[1]!, strides[2]!]),
      attr('pads', pads),
      attr('dilations', [dil[1]!, dil[2]!]),
      attr('group', depthwise ? cin : 1),
    ];
    const outName = newName(node);
    const outShape = [x.shape[0]!, outHW[0], outHW[1], cout];
    if (rest.length === 0) {
      g.node('Conv', convIns, [outName], outName, attrs);
    } else {
      if (rest.length > 1) throw new Error(`${node.op} ${node.name}: fused ops ${fusedOps.join('+')} are not supported`);
      const convOut = g.unique(`${node.name}/conv`);
      g.node('Conv', convIns, [convOut], convOut, attrs);
      activation(node, rest[0]!, convOut, ins[argIndex], 'nchw', 4, outName);
    }
    setOut(node, { name: outName, shape: outShape, layout: 'nchw', dtype: 'float32' });
  };

  const matMul = (node: TfNode, ins: Value[], fusedOps: string[]): void => {
    const [a, b] = ins as [Value, Value];
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`${node.op} ${node.name}: only rank-2 MatMul is supported`);
    const ta = attrBool(node, 'transpose_a', false);
    const tb = attrBool(node, 'transpose_b', false);
    const aName = ta
      ? (() => {
          const t = g.unique(`${node.name}/a_t`);
          g.node('Transpose', [a.konst ? constInitializer(a, 'nhwc') : a.name], [t], t, [attr('perm', [1, 0])]);
          return t;
        })()
      : a.konst
        ? constInitializer(a, 'nhwc')
        : a.name;
    let bName: string;
    if (b.konst) {
      const bc = b.konst;
      bName = tb
        ? g.initializer(`${b.name}#t`, [bc.shape[1]!, bc.shape[0]!], 'float32', transposeData(bc.data as Float32Array, bc.shape, [1, 0]))
        : constInitializer(b, 'nhwc');
    } else if (tb) {
      bName = g.unique(`${node.name}/b_t`);
      g.node('Transpose', [b.name], [bName], bName, [attr('perm', [1, 0])]);
    } else {
      bName = b.name;
    }
    const m = ta ? a.shape[1]! : a.shape[0]!;
    const n = tb ? b.shape[0]! : b.shape[1]!;
    const outName = newName(node);
    let rest = fusedOps;
    let cur = outName;
    const steps: { op: string; arg?: Value }[] = [];
    let argIndex = 2;
    if (rest[0] === 'BiasAdd') {
      steps.push({ op: 'BiasAdd', arg: ins[argIndex++] });
      rest = rest.slice(1);
    }
    if (rest.length > 1) throw new Error(`${node.op} ${node.name}: fused ops ${fusedOps.join('+')} are not supported`);
    if (rest.length === 1) steps.push({ op: rest[0]!, arg: ins[argIndex] });
    cur = steps.length ? g.unique(`${node.name}/matmul`) : outName;
    g.node('MatMul', [aName, bName], [cur], cur);
    steps.forEach((s, i) => {
      const target = i === steps.length - 1 ? outName : g.unique(`${node.name}/${s.op}`);
      if (s.op === 'BiasAdd') {
        const bias = s.arg!.konst ? constInitializer(s.arg!, 'nhwc') : s.arg!.name;
        g.node('Add', [cur, bias], [target], target);
      } else {
        activation(node, s.op, cur, s.arg, 'nhwc', 2, target);
      }
      cur = target;
    });
    setOut(node, { name: outName, shape: [m, n], layout: 'nhwc', dtype: 'float32' });
  };

  const binary = (node: TfNode, onnxOp: string, a: Value, b: Value): void => {
    const fold = FOLD_BINARY[node.op];
    if (a.konst && b.konst && fold) {
      setOut(node, { shape: broadcastShapes(a.shape, b.shape), layout: 'nhwc', dtype: a.dtype, konst: foldBinary(a.konst, b.konst, fold) });
      return;
    }
    const shape = broadcastShapes(a.shape, b.shape);
    // Choose the layout: NCHW when every rank-4 tensor operand already is NCHW and the result is rank 4.
    const tensors = [a, b].filter((v) => !v.konst);
    let layout: Layout = 'nhwc';
    if (shape.length === 4 && tensors.every((v) => v.shape.length === 4 && v.layout === 'nchw')) layout = 'nchw';
    const operand = (v: Value) => (v.konst ? constInitializer(v, layout, shape.length) : inLayout(v, layout));
    const outName = newName(node);
    g.node(onnxOp, [operand(a), operand(b)], [outName], outName);
    setOut(node, { name: outName, shape, layout, dtype: a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32' });
  };

  const unary = (node: TfNode, x: Value): void => {
    const fold = FOLD_UNARY[node.op];
    if (x.konst && fold) {
      const c = x.konst;
      const data = c.dtype === 'float32' ? Float32Array.from(c.data, fold) : Int32Array.from(c.data, fold);
      setOut(node, { shape: x.shape, layout: 'nhwc', dtype: x.dtype, konst: { dtype: c.dtype, shape: c.shape, data } });
      return;
    }
    const input = x.konst ? constInitializer(x, 'nhwc') : x.name;
    const outName = newName(node);
    switch (node.op) {
      case 'Identity':
      case 'StopGradient':
        values.set(key(node.name, 0), x);
        return;
      case 'Relu6':
        activation(node, 'Relu6', input, undefined, x.layout, x.shape.length, outName);
        break;
      case 'LeakyRelu':
        g.node('LeakyRelu', [input], [outName], outName, [attr('alpha', attrFloat(node, 'alpha', 0.2), 'float')]);
        break;
      case 'Rsqrt': {
        const s = g.unique(`${node.name}/sqrt`);
        g.node('Sqrt', [input], [s], s);
        g.node('Reciprocal', [s], [outName], outName);
        break;
      }
      case 'Square':
        g.node('Mul', [input, input], [outName], outName);
        break;
      default: {
        if (node.op === 'Sigmoid') {
          sigmoid(input, outName);
          break;
        }
        const map: Record<string, string> = { Relu: 'Relu', Elu: 'Elu', Tanh: 'Tanh', Neg: 'Neg', Exp: 'Exp', Sqrt: 'Sqrt' };
        const op = map[node.op];
        if (!op) throw new Error(`unsupported unary op ${node.op}`);
        g.node(op, [input], [outName], outName);
      }
    }
    setOut(node, { name: outName, shape: x.shape, layout: x.layout, dtype: x.dtype });
  };

  const reduceAxes = (axes: number[], rank: number) => [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);

  const convertNode = (node: TfNode, ins: Value[]): void => {
    const op = node.op;
    switch (op) {
      case 'Const': {
        const w = weights.get(node.name);
        if (!w) throw new Error(`Const ${node.name} has no weight in the manifest`);
        setOut(node, { shape: w.shape, layout: 'nhwc', dtype: w.dtype, konst: w });
        return;
      }
      case 'Placeholder': {
        const name = inputNameOf.get(node.name);
        if (!name) throw new Error(`Placeholder ${node.name} is not a declared input`);
        setOut(node, { name, shape: placeholderShape(node), layout: 'nhwc', dtype: 'float32' });
        return;
      }
      case 'IdentityN':
        ins.forEach((v, i) => values.set(key(node.name, i), v));
        return;
      case 'Identity':
      case 'StopGradient':
        values.set(key(node.name, 0), ins[0]!);
        return;
      case 'Conv2D':
        return convLike(node, ins, false, []);
      case 'DepthwiseConv2dNative':
        return convLike(node, ins, true, []);
      case '_FusedConv2D':
        return convLike(node, ins, false, attrStrings(node, 'fused_ops'));
      case 'FusedDepthwiseConv2dNative':
        return convLike(node, ins, true, attrStrings(node, 'fused_ops'));
      case 'MatMul':
        return matMul(node, ins, []);
      case '_FusedMatMul':
        return matMul(node, ins, attrStrings(node, 'fused_ops'));
      case 'BiasAdd':
      case 'Add':
      case 'AddV2':
        return binary(node, 'Add', ins[0]!, ins[1]!);
      case 'Sub':
        return binary(node, 'Sub', ins[0]!, ins[1]!);
      case 'Mul':
        return binary(node, 'Mul', ins[0]!, ins[1]!);
      case 'RealDiv':
        return binary(node, 'Div', ins[0]!, ins[1]!);
      case 'Maximum':
        return binary(node, 'Max', ins[0]!, ins[1]!);
      case 'Minimum':
        return binary(node, 'Min', ins[0]!, ins[1]!);
      case 'AddN': {
        if (ins.length === 1) {
          values.set(key(node.name, 0), ins[0]!);
          return;
        }
        const shape = ins.map((v) => v.shape).reduce((p, q) => broadcastShapes(p, q));
        const layout: Layout = shape.length === 4 && ins.every((v) => !v.konst && v.layout === 'nchw') ? 'nchw' : 'nhwc';
        const outName = newName(node);
        g.node(
          'Sum',
          ins.map((v) => (v.konst ? constInitializer(v, layout) : inLayout(v, layout))),
          [outName],
          outName,
        );
        setOut(node, { name: outName, shape, layout, dtype: 'float32' });
        return;
      }
      case 'FusedBatchNorm':
      case 'FusedBatchNormV3': {
        const [x, scale, offset, mean, variance] = ins as [Value, Value, Value, Value, Value];
        if (attrBool(node, 'is_training', false)) throw new Error(`${op} ${node.name}: training mode is not supported`);
        const eps = attrFloat(node, 'epsilon', 0.001);
        const sc = constOf(scale, 'scale', node).data;
        const of = constOf(offset, 'offset', node).data;
        const mu = constOf(mean, 'mean', node).data;
        const va = constOf(variance, 'variance', node).data;
        const c = sc.length;
        const mul = new Float32Array(c);
        const add = new Float32Array(c);
        for (let i = 0; i < c; i++) {
          mul[i] = sc[i]! / Math.sqrt(va[i]! + eps);
          add[i] = of[i]! - mu[i]! * mul[i]!;
        }
        const layout = x.shape.length === 4 ? x.layout : 'nhwc';
        const perChannel = (name: string, data: Float32Array) =>
          layout === 'nchw' ? g.initializer(`${name}#nchw`, [1, c, 1, 1], 'float32', data) : g.initializer(name, [c], 'float32', data);
        const m = g.unique(`${node.name}/mul`);
        const outName = newName(node);
        g.node('Mul', [inLayout(x, layout), perChannel(`${node.name}/bn_mul`, mul)], [m], m);
        g.node('Add', [m, perChannel(`${node.name}/bn_add`, add)], [outName], outName);
        setOut(node, { name: outName, shape: x.shape, layout, dtype: 'float32' });
        return;
      }
      case 'Relu':
      case 'Relu6':
      case 'Elu':
      case 'LeakyRelu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Neg':
      case 'Exp':
      case 'Sqrt':
      case 'Rsqrt':
      case 'Square':
        return unary(node, ins[0]!);
      case 'Prelu': {
        const [x, alpha] = ins as [Value, Value];
        const outName = newName(node);
        const layout = x.shape.length === 4 ? x.layout : 'nhwc';
        activation(node, 'Prelu', inLayout(x, layout), alpha, layout, x.shape.length, outName);
        setOut(node, { name: outName, shape: x.shape, layout, dtype: 'float32' });
        return;
      }
      case 'Pad':
      case 'PadV2':
      case 'MirrorPad': {
        const [x, p] = ins as [Value, Value];
        const pc = Array.from(constOf(p, 'paddings', node).data);
        const rank = x.shape.length;
        let before = Array.from({ length: rank }, (_, i) => pc[2 * i]!);
        let after = Array.from({ length: rank }, (_, i) => pc[2 * i + 1]!);
        const layout = rank === 4 ? x.layout : 'nhwc';
        if (layout === 'nchw') {
          before = permute(before, NHWC_TO_NCHW);
          after = permute(after, NHWC_TO_NCHW);
        }
        const padIns = [inLayout(x, layout), g.int64s('pads', [...before, ...after])];
        const attrs: AttributeProto[] = [];
        if (op === 'PadV2') {
          const cv = constOf(ins[2]!, 'constant_values', node).data[0] ?? 0;
          padIns.push(g.initializer(`const/${cv}f`, [], 'float32', [cv]));
        } else if (op === 'MirrorPad') {
          const mode = attrString(node, 'mode');
          if (mode !== 'REFLECT') throw new Error(`MirrorPad ${node.name}: mode ${mode} has no ONNX equivalent`);
          attrs.push(attr('mode', 'reflect'));
        }
        const outName = newName(node);
        g.node('Pad', padIns, [outName], outName, attrs);
        const shape = x.shape.map((d, i) => (d < 0 ? d : d + pc[2 * i]! + pc[2 * i + 1]!));
        setOut(node, { name: outName, shape, layout, dtype: x.dtype });
        return;
      }
      case 'MaxPool':
      case 'AvgPool': {
        const x = ins[0]!;
        if (attrString(node, 'data_format', 'NHWC') !== 'NHWC') throw new Error(`${op} ${node.name}: only NHWC pools are supported`);
        const k = attrInts(node, 'ksize');
        const s = attrInts(node, 'strides');
        const { pads, outHW } = spatialPads(node, [x.shape[1]!, x.shape[2]!], [k[1]!, k[2]!], [s[1]!, s[2]!], [1, 1]);
        const outName = newName(node);
        const attrs = [attr('kernel_shape', [k[1]!, k[2]!]), attr('strides', [s[1]!, s[2]!]), attr('pads', pads)];
        // TF average pooling divides by the number of valid (unpadded) cells: count_include_pad=0.
        if (op === 'AvgPool') attrs.push(attr('count_include_pad', 0));
        g.node(op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [inLayout(x, 'nchw')], [outName], outName, attrs);
        setOut(node, { name: outName, shape: [x.shape[0]!, outHW[0], outHW[1], x.shape[3]!], layout: 'nchw', dtype: 'float32' });
        return;
      }
      case 'Reshape': {
        const [x, s] = ins as [Value, Value];
        const target = Array.from(constOf(s, 'the shape', node).data);
        if (target.includes(0)) throw new Error(`Reshape ${node.name}: zero-sized dimensions are not supported`);
        const known = x.shape.every((d) => d >= 0);
        let shape = [...target];
        if (known && target.includes(-1)) {
          const rest = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
          shape = target.map((d) => (d === -1 ? sizeOf(x.shape) / rest : d));
        }
        if (x.konst) {
          setOut(node, { shape, layout: 'nhwc', dtype: x.dtype, konst: { ...x.konst, shape: known ? shape : target } });
          return;
        }
        const outName = newName(node);
        g.node('Reshape', [nhwc(x), g.int64s('shape', target)], [outName], outName);
        setOut(node, { name: outName, shape, layout: 'nhwc', dtype: x.dtype });
        return;
      }
      case 'Squeeze': {
        const x = ins[0]!;
        let axes = attrInts(node, 'squeeze_dims', []);
        if (axes.length === 0) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
        axes = reduceAxes(axes, x.shape.length);
        const outName = newName(node);
        g.node('Squeeze', [nhwc(x), g.int64s('axes', axes)], [outName], outName);
        setOut(node, { name: outName, shape: x.shape.filter((_, i) => !axes.includes(i)), layout: 'nhwc', dtype: x.dtype });
        return;
      }
      case 'ExpandDims': {
        const [x, a] = ins as [Value, Value];
        let axis = constOf(a, 'axis', node).data[0]!;
        if (axis < 0) axis += x.shape.length + 1;
        const outName = newName(node);
        g.node('Unsqueeze', [nhwc(x), g.int64s('axes', [axis])], [outName], outName);
        const shape = [...x.shape];
        shape.splice(axis, 0, 1);
        setOut(node, { name: outName, shape, layout: 'nhwc', dtype: x.dtype });
        return;
      }
      case 'ConcatV2': {
        const parts = ins.slice(0, -1);
        const rank = parts[0]!.shape.length;
        let axis = constOf(ins[ins.length - 1]!, 'axis', node).data[0]!;
        if (axis < 0) axis += rank;
        const layout: Layout = rank === 4 && parts.every((v) => !v.konst && v.layout === 'nchw') ? 'nchw' : 'nhwc';
        const onnxAxis = layout === 'nchw' ? NHWC_TO_NCHW.indexOf(axis) : axis;
        const outName = newName(node);
        g.node(
          'Concat',
          parts.map((v) => inLayout(v, layout)),
          [outName],
          outName,
          [attr('axis', onnxAxis)],
        );
        const shape = [...parts[0]!.shape];
        shape[axis] = parts.some((v) => v.shape[axis]! < 0) ? -1 : parts.reduce((acc, v) => acc + v.shape[axis]!, 0);
        setOut(node, { name: outName, shape, layout, dtype: parts[0]!.dtype });
        return;
      }
      case 'Transpose': {
        const [x, p] = ins as [Value, Value];
        const perm = Array.from(constOf(p, 'perm', node).data);
        const outName = newName(node);
        // A transpose of an NCHW-held tensor composes with the layout permutation.
        if (x.shape.length === 4 && x.layout === 'nchw' && !x.konst) {
          g.node('Transpose', [x.name], [outName], outName, [
            attr(
              'perm',
              perm.map((q) => NCHW_TO_NHWC[q]!),
            ),
          ]);
        } else {
          g.node('Transpose', [nhwc(x)], [outName], outName, [attr('perm', perm)]);
        }
        setOut(node, { name: outName, shape: permute(x.shape, perm), layout: 'nhwc', dtype: x.dtype });
        return;
      }
      case 'StridedSlice': {
        const [x, bv, ev, sv] = ins as [Value, Value, Value, Value];
        const begin = Array.from(constOf(bv, 'begin', node).data);
        const end = Array.from(constOf(ev, 'end', node).data);
        const strides = Array.from(constOf(sv, 'strides', node).data);
        if (attrInt(node, 'ellipsis_mask', 0) || attrInt(node, 'new_axis_mask', 0)) {
          throw new Error(`StridedSlice ${node.name}: ellipsis and new-axis masks are not supported`);
        }
        const beginMask = attrInt(node, 'begin_mask', 0);
        const endMask = attrInt(node, 'end_mask', 0);
        const shrinkMask = attrInt(node, 'shrink_axis_mask', 0);
        const starts: bigint[] = [];
        const ends: bigint[] = [];
        const shape: number[] = [];
        const shrink: number[] = [];
        for (let i = 0; i < x.shape.length; i++) {
          const dim = x.shape[i]!;
          const st = i < strides.length ? strides[i]! : 1;
          if (i >= begin.length) {
            starts.push(0n);
            ends.push(INT64_MAX);
            shape.push(dim);
            continue;
          }
          if (shrinkMask & (1 << i)) {
            const b = begin[i]!;
            starts.push(BigInt(b));
            ends.push(b === -1 ? INT64_MAX : BigInt(b + 1));
            shrink.push(i);
            continue;
          }
          const b = beginMask & (1 << i) ? (st > 0 ? 0n : INT64_MAX) : BigInt(begin[i]!);
          const e = endMask & (1 << i) ? (st > 0 ? INT64_MAX : INT64_MIN) : BigInt(end[i]!);
          starts.push(b);
          ends.push(e);
          if (dim < 0) {
            shape.push(-1);
          } else {
            const clamp = (v: bigint, lo: number, hi: number) =>
              Math.min(Math.max(Number(v < 0n && v > INT64_MIN ? v + BigInt(dim) : v), lo), hi);
            const s0 = st > 0 ? clamp(b, 0, dim) : clamp(b, -1, dim - 1);
            const e0 = st > 0 ? clamp(e, 0, dim) : clamp(e, -1, dim - 1);
            shape.push(Math.max(0, Math.ceil((e0 - s0) / st)));
          }
        }
        const sliced = shrink.length ? g.unique(`${node.name}/slice`) : newName(node);
        const axes = x.shape.map((_, i) => i);
        const stepsAll = axes.map((i) => (i < strides.length ? strides[i]! : 1));
        g.node(
          'Slice',
          [nhwc(x), g.int64s('starts', starts), g.int64s('ends', ends), g.int64s('axes', axes), g.int64s('steps', stepsAll)],
          [sliced],
          sliced,
        );
        let outName = sliced;
        if (shrink.length) {
          outName = newName(node);
          g.node('Squeeze', [sliced, g.int64s('axes', shrink)], [outName], outName);
        }
        setOut(node, { name: outName, shape, layout: 'nhwc', dtype: x.dtype });
        return;
      }
      case 'Mean':
      case 'Sum':
      case 'Max': {
        const [x, a] = ins as [Value, Value];
        const rank = x.shape.length;
        const axes = reduceAxes(Array.from(constOf(a, 'reduction axes', node).data), rank);
        const keep = attrBool(node, 'keep_dims', false);
        let layout: Layout = rank === 4 ? x.layout : 'nhwc';
        const physAxes = (l: Layout) => (l === 'nchw' ? axes.map((ax) => NHWC_TO_NCHW.indexOf(ax)).sort((p, q) => p - q) : axes);
        if (layout === 'nchw' && !keep) {
          // Without kept dims the result is only layout-free if the surviving axes keep their order.
          const remainingLogical = [0, 1, 2, 3].filter((d) => !axes.includes(d));
          const remainingPhysical = NHWC_TO_NCHW.filter((d) => !axes.includes(d));
          if (remainingLogical.join() !== remainingPhysical.join()) layout = 'nhwc';
        }
        const outName = newName(node);
        const onnxOp = op === 'Mean' ? 'ReduceMean' : op === 'Sum' ? 'ReduceSum' : 'ReduceMax';
        const pa = physAxes(layout);
        if (onnxOp === 'ReduceSum') {
          g.node(onnxOp, [inLayout(x, layout), g.int64s('axes', pa)], [outName], outName, [attr('keepdims', keep ? 1 : 0)]);
        } else {
          g.node(onnxOp, [inLayout(x, layout)], [outName], outName, [attr('axes', pa), attr('keepdims', keep ? 1 : 0)]);
        }
        const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
        setOut(node, { name: outName, shape, layout: keep ? layout : 'nhwc', dtype: x.dtype });
        return;
      }
      case 'Softmax': {
        const x = ins[0]!;
        const outName = newName(node);
        if (x.shape.length === 4 && x.layout === 'nchw') {
          g.node('Softmax', [x.name], [outName], outName, [attr('axis', 1)]);
          setOut(node, { name: outName, shape: x.shape, layout: 'nchw', dtype: 'float32' });
        } else {
          g.node('Softmax', [nhwc(x)], [outName], outName, [attr('axis', -1)]);
          setOut(node, { name: outName, shape: x.shape, layout: 'nhwc', dtype: 'float32' });
        }
        return;
      }
      case 'ResizeBilinear': {
        const [x, s] = ins as [Value, Value];
        const [oh, ow] = Array.from(constOf(s, 'the size', node).data) as [number, number];
        const align = attrBool(node, 'align_corners', false);
        const half = attrBool(node, 'half_pixel_centers', false);
        const mode = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
        const outName = newName(node);
        let sizes: string;
        if (x.shape[0]! >= 0 && x.shape[3]! >= 0) {
          sizes = g.int64s('sizes', [x.shape[0]!, x.shape[3]!, oh, ow]);
        } else {
          const shp = g.unique(`${node.name}/shape`);
          const nc = g.unique(`${node.name}/nc`);
          sizes = g.unique(`${node.name}/sizes`);
          g.node('Shape', [inLayout(x, 'nchw')], [shp], shp);
          g.node('Slice', [shp, g.int64s('starts', [0]), g.int64s('ends', [2])], [nc], nc);
          g.node('Concat', [nc, g.int64s('hw', [oh, ow])], [sizes], sizes, [attr('axis', 0)]);
        }
        g.node('Resize', [inLayout(x, 'nchw'), '', '', sizes], [outName], outName, [
          attr('mode', 'linear'),
          attr('coordinate_transformation_mode', mode),
        ]);
        setOut(node, { name: outName, shape: [x.shape[0]!, oh, ow, x.shape[3]!], layout: 'nchw', dtype: 'float32' });
        return;
      }
      default:
        throw new Error(`unsupported TF op ${op} (node ${node.name})`);
    }
  };

  // --- walk the graph from the outputs (iterative post-order DFS, deterministic) ------------
  const visiting = new Set<string>();
  const done = new Set<string>();
  const resolve = (ref: string): Value => {
    const { node, index } = parseInputRef(ref);
    const v = values.get(key(node, index));
    if (!v) throw new Error(`value ${ref} was not produced`);
    return v;
  };
  const visit = (root: string) => {
    const stack: { name: string; expanded: boolean }[] = [{ name: root, expanded: false }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (done.has(top.name)) {
        stack.pop();
        continue;
      }
      const node = byName.get(top.name);
      if (!node) throw new Error(`graph has no node ${top.name}`);
      const deps = (node.input ?? []).map(parseInputRef).filter((r) => !r.control);
      if (!top.expanded) {
        top.expanded = true;
        visiting.add(top.name);
        for (let i = deps.length - 1; i >= 0; i--) {
          const d = deps[i]!.node;
          if (done.has(d)) continue;
          if (visiting.has(d)) throw new Error(`cycle at ${d}`);
          stack.push({ name: d, expanded: false });
        }
        continue;
      }
      stack.pop();
      visiting.delete(top.name);
      tfOps[node.op] = (tfOps[node.op] ?? 0) + 1;
      const ins = (node.input ?? []).filter((r) => !r.startsWith('^')).map(resolve);
      convertNode(node, ins);
      done.add(top.name);
    }
  };
  for (const io of options.inputs) visit(io.tfName);
  for (const io of options.outputs) visit(io.tfName);

  const dims = (shape: number[]) => shape.map((d) => (d < 0 ? batchName : d));
  const inputs: ConvertedTensorSpec[] = options.inputs.map((io) => {
    const v = values.get(key(io.tfName, 0))!;
    return { name: io.name, type: 'float32', shape: dims(v.shape) };
  });
  const outputs: ConvertedTensorSpec[] = options.outputs.map((io) => {
    const v = resolve(io.tfName);
    if (v.konst) throw new Error(`output ${io.tfName} is a constant`);
    g.node('Identity', [nhwc(v)], [io.name], io.name);
    return { name: io.name, type: 'float32', shape: dims(v.shape) };
  });

  const graph = onnx.GraphProto.create({
    name: options.graphName,
    node: g.nodes,
    initializer: g.initializers,
    input: inputs.map((i) => valueInfo(i.name, i.shape)),
    output: outputs.map((o) => valueInfo(o.name, o.shape)),
  });
  const metadata = { converter: `@attune/models tfjs-to-onnx ${CONVERTER_VERSION}`, ...(options.metadata ?? {}) };
  const modelProto = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: ONNX_OPSET })],
    producerName: '@attune/models',
    producerVersion: CONVERTER_VERSION,
    modelVersion: options.modelVersion ?? 1,
    docString: options.docString ?? '',
    graph,
    metadataProps: Object.entries(metadata)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, value]) => onnx.StringStringEntryProto.create({ key: k, value })),
  });
  const sortObj = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { bytes: onnx.ModelProto.encode(modelProto).finish(), inputs, outputs, tfOps: sortObj(tfOps), onnxOps: sortObj(g.onnxOps) };
}
