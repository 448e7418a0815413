/**
 * Convolutions (plain, depthwise, with fused bias and activation), matrix products and inference
 * batch normalisation. Convolutions run NCHW in ONNX: their filters are transposed to OIHW at
 * conversion time and their outputs stay NCHW until an op needs NHWC.
 */
import type { ConversionContext, OpHandler, Value } from './context.ts';
import { attr } from './onnx-builders.ts';
import { activation } from './ops-elementwise.ts';
import { spatialPads } from './ops-spatial.ts';
import { transposeData } from './tensor-math.ts';
import { attrBool, attrFloat, attrInts, attrString, attrStrings, type TfNode } from './tfjs-graph.ts';

function convLike(ctx: ConversionContext, node: TfNode, ins: Value[], depthwise: boolean, fusedOps: string[]): void {
  const { g } = ctx;
  const [x, filterV] = ins as [Value, Value];
  const f = ctx.constOf(filterV, 'the filter', node);
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
  const convIns = [ctx.inLayout(x, 'nchw'), wName];
  let rest = fusedOps;
  let argIndex = 2;
  if (rest[0] === 'BiasAdd') {
    const b = ctx.constOf(ins[argIndex]!, 'the bias', node);
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
  const outName = ctx.newName(node);
  const outShape = [x.shape[0]!, outHW[0], outHW[1], cout];
  if (rest.length === 0) {
    g.node('Conv', convIns, [outName], outName, attrs);
  } else {
    if (rest.length > 1) throw new Error(`${node.op} ${node.name}: fused ops ${fusedOps.join('+')} are not supported`);
    const convOut = g.unique(`${node.name}/conv`);
    g.node('Conv', convIns, [convOut], convOut, attrs);
    activation(ctx, node, rest[0]!, convOut, ins[argIndex], 'nchw', 4, outName);
  }
  ctx.setOut(node, { name: outName, shape: outShape, layout: 'nchw', dtype: 'float32' });
}

function matMul(ctx: ConversionContext, node: TfNode, ins: Value[], fusedOps: string[]): void {
  const { g } = ctx;
  const [a, b] = ins as [Value, Value];
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`${node.op} ${node.name}: only rank-2 MatMul is supported`);
  const ta = attrBool(node, 'transpose_a', false);
  const tb = attrBool(node, 'transpose_b', false);
  const aName = ta
    ? (() => {
        const t = g.unique(`${node.name}/a_t`);
        g.node('Transpose', [a.konst ? ctx.constInitializer(a, 'nhwc') : a.name], [t], t, [attr('perm', [1, 0])]);
        return t;
      })()
    : a.konst
      ? ctx.constInitializer(a, 'nhwc')
      : a.name;
  let bName: string;
  if (b.konst) {
    const bc = b.konst;
    bName = tb
      ? g.initializer(`${b.name}#t`, [bc.shape[1]!, bc.shape[0]!], 'float32', transposeData(bc.data as Float32Array, bc.shape, [1, 0]))
      : ctx.constInitializer(b, 'nhwc');
  } else if (tb) {
    bName = g.unique(`${node.name}/b_t`);
    g.node('Transpose', [b.name], [bName], bName, [attr('perm', [1, 0])]);
  } else {
    bName = b.name;
  }
  const m = ta ? a.shape[1]! : a.shape[0]!;
  const n = tb ? b.shape[0]! : b.shape[1]!;
  const outName = ctx.newName(node);
  let rest = fusedOps;
  const steps: { op: string; arg?: Value }[] = [];
  let argIndex = 2;
  if (rest[0] === 'BiasAdd') {
    steps.push({ op: 'BiasAdd', arg: ins[argIndex++] });
    rest = rest.slice(1);
  }
  if (rest.length > 1) throw new Error(`${node.op} ${node.name}: fused ops ${fusedOps.join('+')} are not supported`);
  if (rest.length === 1) steps.push({ op: rest[0]!, arg: ins[argIndex] });
  let cur = steps.length ? g.unique(`${node.name}/matmul`) : outName;
  g.node('MatMul', [aName, bName], [cur], cur);
  steps.forEach((s, i) => {
    const target = i === steps.length - 1 ? outName : g.unique(`${node.name}/${s.op}`);
    if (s.op === 'BiasAdd') {
      const bias = s.arg!.konst ? ctx.constInitializer(s.arg!, 'nhwc') : s.arg!.name;
      g.node('Add', [cur, bias], [target], target);
    } else {
      activation(ctx, node, s.op, cur, s.arg, 'nhwc', 2, target);
    }
    cur = target;
  });
  ctx.setOut(node, { name: outName, shape: [m, n], layout: 'nhwc', dtype: 'float32' });
}

/** Inference batch norm folded to one per-channel Mul and Add. */
const batchNorm: OpHandler = (ctx, node, ins) => {
  const { g } = ctx;
  const [x, scale, offset, mean, variance] = ins as [Value, Value, Value, Value, Value];
  if (attrBool(node, 'is_training', false)) throw new Error(`${node.op} ${node.name}: training mode is not supported`);
  const eps = attrFloat(node, 'epsilon', 0.001);
  const sc = ctx.constOf(scale, 'scale', node).data;
  const of = ctx.constOf(offset, 'offset', node).data;
  const mu = ctx.constOf(mean, 'mean', node).data;
  const va = ctx.constOf(variance, 'variance', node).data;
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
  const outName = ctx.newName(node);
  g.node('Mul', [ctx.inLayout(x, layout), perChannel(`${node.name}/bn_mul`, mul)], [m], m);
  g.node('Add', [m, perChannel(`${node.name}/bn_add`, add)], [outName], outName);
  ctx.setOut(node, { name: outName, shape: x.shape, layout, dtype: 'float32' });
};

export const CONV_OPS: Record<string, OpHandler> = {
  Conv2D: (ctx, node, ins) => convLike(ctx, node, ins, false, []),
  _FusedConv2D: (ctx, node, ins) => convLike(ctx, node, ins, false, attrStrings(node, 'fused_ops')),
  DepthwiseConv2dNative: (ctx, node, ins) => convLike(ctx, node, ins, true, []),
  FusedDepthwiseConv2dNative: (ctx, node, ins) => convLike(ctx, node, ins, true, attrStrings(node, 'fused_ops')),
  MatMul: (ctx, node, ins) => matMul(ctx, node, ins, []),
  _FusedMatMul: (ctx, node, ins) => matMul(ctx, node, ins, attrStrings(node, 'fused_ops')),
  FusedBatchNorm: batchNorm,
  FusedBatchNormV3: batchNorm,
};
