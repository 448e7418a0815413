/**
 * The state of one conversion and the helpers every op family uses.
 *
 * Layout: TF graphs are NHWC, ONNX convolutions and pools are NCHW. Every value carries its
 * logical (TF, NHWC) shape and the physical layout its ONNX tensor has. Convolutions and pools
 * produce NCHW tensors; element-wise ops keep whatever layout they are given (per-channel
 * constants are permuted to match); ops whose meaning depends on axis order (Reshape, Softmax,
 * Transpose, StridedSlice, ...) see NHWC, with a Transpose inserted only where the layout
 * changes (once per tensor and layout).
 */
import { OnnxGraphBuilder } from './graph-builder.ts';
import { attr } from './onnx-builders.ts';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, permute, transposeData } from './tensor-math.ts';
import { parseInputRef, sizeOf, type ConstTensor, type TfNode } from './tfjs-graph.ts';

export type Layout = 'nhwc' | 'nchw';

export interface Value {
  /** ONNX tensor name (for constants: the TF name; emitted lazily as initializers). */
  name: string;
  /** Logical TF shape; -1 = unknown. */
  shape: number[];
  layout: Layout;
  dtype: 'float32' | 'int32' | 'bool';
  konst?: ConstTensor;
}

/** Converts one TF node, given the values of its (non-control) inputs. */
export type OpHandler = (ctx: ConversionContext, node: TfNode, ins: Value[]) => void;

export class ConversionContext {
  readonly g = new OnnxGraphBuilder();
  private readonly values = new Map<string, Value>();
  private readonly layoutCache = new Map<string, string>();

  constructor(
    /** Decoded weights by Const node name. */
    readonly weights: Map<string, ConstTensor>,
    /** TF Placeholder name -> ONNX input name. */
    readonly inputNameOf: Map<string, string>,
  ) {}

  private static key(node: string, index: number): string {
    return `${node}:${index}`;
  }

  /** The value a TF input reference ("node", "node:1") names; it must have been produced. */
  resolve(ref: string): Value {
    const { node, index } = parseInputRef(ref);
    const v = this.values.get(ConversionContext.key(node, index));
    if (!v) throw new Error(`value ${ref} was not produced`);
    return v;
  }

  /** Output `index` of `node` is `v` itself (Identity and friends: no ONNX node). */
  alias(node: TfNode, v: Value, index = 0): void {
    this.values.set(ConversionContext.key(node.name, index), v);
  }

  setOut(node: TfNode, v: Omit<Value, 'name'> & { name?: string }, index = 0): void {
    this.values.set(ConversionContext.key(node.name, index), { name: v.name ?? node.name, ...v } as Value);
  }

  newName(node: TfNode, suffix?: string): string {
    return this.g.unique(suffix ? `${node.name}/${suffix}` : node.name);
  }

  /** The ONNX tensor holding `v` in layout `want` (constants as initializers, rank-4 tensors transposed once). */
  inLayout(v: Value, want: Layout): string {
    if (v.konst) return this.constInitializer(v, want);
    if (v.shape.length !== 4 || v.layout === want) return v.name;
    const k = `${v.name}#${want}`;
    const cached = this.layoutCache.get(k);
    if (cached) return cached;
    const out = this.g.unique(`${v.name}/to_${want}`);
    this.g.node('Transpose', [v.name], [out], out, [attr('perm', want === 'nchw' ? NHWC_TO_NCHW : NCHW_TO_NHWC)]);
    this.layoutCache.set(k, out);
    return out;
  }

  nhwc(v: Value): string {
    return this.inLayout(v, 'nhwc');
  }

  /** A constant as an ONNX initializer, broadcast-compatible with a tensor in `layout`. */
  constInitializer(v: Value, layout: Layout, rankOfPartner = 4): string {
    const c = v.konst!;
    const dtype = c.dtype === 'float32' ? 'float32' : 'int32';
    if (layout === 'nchw' && rankOfPartner === 4 && c.shape.length > 0 && sizeOf(c.shape) > 1) {
      const shape4 = [...new Array<number>(4 - c.shape.length).fill(1), ...c.shape];
      const data = transposeData(c.data, shape4, NHWC_TO_NCHW);
      return this.g.initializer(`${v.name}#nchw`, permute(shape4, NHWC_TO_NCHW), dtype, data);
    }
    return this.g.initializer(v.name, c.shape, dtype, c.data);
  }

  /** The constant behind `v`; inputs such as filters, paddings and axes must be known at conversion time. */
  constOf(v: Value, what: string, node: TfNode): ConstTensor {
    if (!v.konst) throw new Error(`${node.op} ${node.name}: ${what} must be a constant`);
    return v.konst;
  }
}
