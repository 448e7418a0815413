/**
 * Ops that move data without arithmetic: padding, Reshape, Squeeze, ExpandDims, Concat,
 * Transpose and StridedSlice. Their shape-like inputs (paddings, shapes, axes, slice bounds) are
 * read at conversion time. All but Pad and Concat work on NHWC, since axis numbers refer to it.
 */
import type { Layout, OpHandler, Value } from './context.ts';
import { attr, type AttributeProto } from './onnx-builders.ts';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, permute, reduceAxes } from './tensor-math.ts';
import { attrInt, attrInts, attrString, sizeOf } from './tfjs-graph.ts';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

const pad: OpHandler = (ctx, node, ins) => {
  const { g } = ctx;
  const op = node.op;
  const [x, p] = ins as [Value, Value];
  const pc = Array.from(ctx.constOf(p, 'paddings', node).data);
  const rank = x.shape.length;
  let before = Array.from({ length: rank }, (_, i) => pc[2 * i]!);
  let after = Array.from({ length: rank }, (_, i) => pc[2 * i + 1]!);
  const layout = rank === 4 ? x.layout : 'nhwc';
  if (layout === 'nchw') {
    before = permute(before, NHWC_TO_NCHW);
    after = permute(after, NHWC_TO_NCHW);
  }
  const padIns = [ctx.inLayout(x, layout), g.int64s('pads', [...before, ...after])];
  const attrs: AttributeProto[] = [];
  if (op === 'PadV2') {
    const cv = ctx.constOf(ins[2]!, 'constant_values', node).data[0] ?? 0;
    padIns.push(g.initializer(`const/${cv}f`, [], 'float32', [cv]));
  } else if (op === 'MirrorPad') {
    const mode = attrString(node, 'mode');
    if (mode !== 'REFLECT') throw new Error(`MirrorPad ${node.name}: mode ${mode} has no ONNX equivalent`);
    attrs.push(attr('mode', 'reflect'));
  }
  const outName = ctx.newName(node);
  g.node('Pad', padIns, [outName], outName, attrs);
  const shape = x.shape.map((d, i) => (d < 0 ? d : d + pc[2 * i]! + pc[2 * i + 1]!));
  ctx.setOut(node, { name: outName, shape, layout, dtype: x.dtype });
};

const reshape: OpHandler = (ctx, node, ins) => {
  const [x, s] = ins as [Value, Value];
  const target = Array.from(ctx.constOf(s, 'the shape', node).data);
  if (target.includes(0)) throw new Error(`Reshape ${node.name}: zero-sized dimensions are not supported`);
  const known = x.shape.every((d) => d >= 0);
  let shape = [...target];
  if (known && target.includes(-1)) {
    const rest = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    shape = target.map((d) => (d === -1 ? sizeOf(x.shape) / rest : d));
  }
  if (x.konst) {
    ctx.setOut(node, { shape, layout: 'nhwc', dtype: x.dtype, konst: { ...x.konst, shape: known ? shape : target } });
    return;
  }
  const outName = ctx.newName(node);
  ctx.g.node('Reshape', [ctx.nhwc(x), ctx.g.int64s('shape', target)], [outName], outName);
  ctx.setOut(node, { name: outName, shape, layout: 'nhwc', dtype: x.dtype });
};

const squeeze: OpHandler = (ctx, node, ins) => {
  const x = ins[0]!;
  let axes = attrInts(node, 'squeeze_dims', []);
  if (axes.length === 0) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  axes = reduceAxes(axes, x.shape.length);
  const outName = ctx.newName(node);
  ctx.g.node('Squeeze', [ctx.nhwc(x), ctx.g.int64s('axes', axes)], [outName], outName);
  ctx.setOut(node, { name: outName, shape: x.shape.filter((_, i) => !axes.includes(i)), layout: 'nhwc', dtype: x.dtype });
};

const expandDims: OpHandler = (ctx, node, ins) => {
  const [x, a] = ins as [Value, Value];
  let axis = ctx.constOf(a, 'axis', node).data[0]!;
  if (axis < 0) axis += x.shape.length + 1;
  const outName = ctx.newName(node);
  ctx.g.node('Unsqueeze', [ctx.nhwc(x), ctx.g.int64s('axes', [axis])], [outName], outName);
  const shape = [...x.shape];
  shape.splice(axis, 0, 1);
  ctx.setOut(node, { name: outName, shape, layout: 'nhwc', dtype: x.dtype });
};

const concat: OpHandler = (ctx, node, ins) => {
  const parts = ins.slice(0, -1);
  const rank = parts[0]!.shape.length;
  let axis = ctx.constOf(ins[ins.length - 1]!, 'axis', node).data[0]!;
  if (axis < 0) axis += rank;
  const layout: Layout = rank === 4 && parts.every((v) => !v.konst && v.layout === 'nchw') ? 'nchw' : 'nhwc';
  const onnxAxis = layout === 'nchw' ? NHWC_TO_NCHW.indexOf(axis) : axis;
  const outName = ctx.newName(node);
  ctx.g.node(
    'Concat',
    parts.map((v) => ctx.inLayout(v, layout)),
    [outName],
    outName,
    [attr('axis', onnxAxis)],
  );
  const shape = [...parts[0]!.shape];
  shape[axis] = parts.some((v) => v.shape[axis]! < 0) ? -1 : parts.reduce((acc, v) => acc + v.shape[axis]!, 0);
  ctx.setOut(node, { name: outName, shape, layout, dtype: parts[0]!.dtype });
};

const transpose: OpHandler = (ctx, node, ins) => {
  const [x, p] = ins as [Value, Value];
  const perm = Array.from(ctx.constOf(p, 'perm', node).data);
  const outName = ctx.newName(node);
  // A transpose of an NCHW-held tensor composes with the layout permutation.
  if (x.shape.length === 4 && x.layout === 'nchw' && !x.konst) {
    ctx.g.node('Transpose', [x.name], [outName], outName, [
      attr(
        'perm',
        perm.map((q) => NCHW_TO_NHWC[q]!),
      ),
    ]);
  } else {
    ctx.g.node('Transpose', [ctx.nhwc(x)], [outName], outName, [attr('perm', perm)]);
  }
  ctx.setOut(node, { name: outName, shape: permute(x.shape, perm), layout: 'nhwc', dtype: x.dtype });
};

const stridedSlice: OpHandler = (ctx, node, ins) => {
  const { g } = ctx;
  const [x, bv, ev, sv] = ins as [Value, Value, Value, Value];
  const begin = Array.from(ctx.constOf(bv, 'begin', node).data);
  const end = Array.from(ctx.constOf(ev, 'end', node).data);
  const strides = Array.from(ctx.constOf(sv, 'strides', node).data);
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
  const sliced = shrink.length ? g.unique(`${node.name}/slice`) : ctx.newName(node);
  const axes = x.shape.map((_, i) => i);
  const stepsAll = axes.map((i) => (i < strides.length ? strides[i]! : 1));
  g.node(
    'Slice',
    [ctx.nhwc(x), g.int64s('starts', starts), g.int64s('ends', ends), g.int64s('axes', axes), g.int64s('steps', stepsAll)],
    [sliced],
    sliced,
  );
  let outName = sliced;
  if (shrink.length) {
    outName = ctx.newName(node);
    g.node('Squeeze', [sliced, g.int64s('axes', shrink)], [outName], outName);
  }
  ctx.setOut(node, { name: outName, shape, layout: 'nhwc', dtype: x.dtype });
};

export const SHAPE_OPS: Record<string, OpHandler> = {
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  ConcatV2: concat,
  Transpose: transpose,
  StridedSlice: stridedSlice,
};
