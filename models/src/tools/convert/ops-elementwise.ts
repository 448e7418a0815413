/**
 * Element-wise ops: binary arithmetic with broadcasting (Add, Sub, Mul, ...), AddN, the unary
 * activations, and the activations fused into convolutions and matmuls. They keep whatever layout
 * they are given; constant operands are folded at conversion time or permuted to that layout.
 */
import type { ConversionContext, Layout, OpHandler, Value } from './context.ts';
import { attr } from './onnx-builders.ts';
import { broadcastShapes, FOLD_BINARY, FOLD_UNARY, foldBinary } from './tensor-math.ts';
import { attrFloat, type TfNode } from './tfjs-graph.ts';

/**
 * Sigmoid as 1 / (1 + exp(-x)). onnxruntime's Sigmoid kernel (MLAS logistic) is a polynomial
 * accurate to ~4e-8 absolute, so a saturated output such as FaceMesh's face flag on a non-face
 * (~1e-5) is off by ~1e-3 relative; this form keeps TF's full relative precision (exp overflow
 * gives 1/inf = 0, the right limit). Four cheap element-wise ops.
 */
function sigmoid(ctx: ConversionContext, x: string, outName: string): void {
  const { g } = ctx;
  const neg = g.unique(`${outName}/neg`);
  const exp = g.unique(`${outName}/exp`);
  const den = g.unique(`${outName}/den`);
  g.node('Neg', [x], [neg], neg);
  g.node('Exp', [neg], [exp], exp);
  g.node('Add', [exp, g.initializer('const/1f', [], 'float32', [1])], [den], den);
  g.node('Reciprocal', [den], [outName], outName);
}

/** An activation applied to tensor `x` (standalone, or fused after a conv/matmul). */
export function activation(
  ctx: ConversionContext,
  node: TfNode,
  op: string,
  x: string,
  alpha: Value | undefined,
  layout: Layout,
  rank: number,
  outName: string,
): void {
  const { g } = ctx;
  switch (op) {
    case 'Relu':
      g.node('Relu', [x], [outName], outName);
      return;
    case 'Relu6':
      g.node('Clip', [x, g.initializer('const/0f', [], 'float32', [0]), g.initializer('const/6f', [], 'float32', [6])], [outName], outName);
      return;
    case 'Elu':
      g.node('Elu', [x], [outName], outName, [attr('alpha', 1, 'float')]);
      return;
    case 'Sigmoid':
      sigmoid(ctx, x, outName);
      return;
    case 'Tanh':
      g.node('Tanh', [x], [outName], outName);
      return;
    case 'LeakyRelu':
      g.node('LeakyRelu', [x], [outName], outName, [attr('alpha', attrFloat(node, 'leakyrelu_alpha', 0.2), 'float')]);
      return;
    case 'Prelu': {
      if (!alpha) throw new Error(`${node.op} ${node.name}: Prelu needs an alpha argument`);
      const slope = alpha.konst ? ctx.constInitializer(alpha, layout, rank) : ctx.inLayout(alpha, layout);
      g.node('PRelu', [x, slope], [outName], outName);
      return;
    }
    default:
      throw new Error(`${node.op} ${node.name}: unsupported fused activation ${op}`);
  }
}

function binary(ctx: ConversionContext, node: TfNode, onnxOp: string, a: Value, b: Value): void {
  const fold = FOLD_BINARY[node.op];
  if (a.konst && b.konst && fold) {
    ctx.setOut(node, {
      shape: broadcastShapes(a.shape, b.shape),
      layout: 'nhwc',
      dtype: a.dtype,
      konst: foldBinary(a.konst, b.konst, fold),
    });
    return;
  }
  const shape = broadcastShapes(a.shape, b.shape);
  // Choose the layout: NCHW when every rank-4 tensor operand already is NCHW and the result is rank 4.
  const tensors = [a, b].filter((v) => !v.konst);
  let layout: Layout = 'nhwc';
  if (shape.length === 4 && tensors.every((v) => v.shape.length === 4 && v.layout === 'nchw')) layout = 'nchw';
  const operand = (v: Value) => (v.konst ? ctx.constInitializer(v, layout, shape.length) : ctx.inLayout(v, layout));
  const outName = ctx.newName(node);
  ctx.g.node(onnxOp, [operand(a), operand(b)], [outName], outName);
  ctx.setOut(node, { name: outName, shape, layout, dtype: a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32' });
}

const binaryAs =
  (onnxOp: string): OpHandler =>
  (ctx, node, ins) =>
    binary(ctx, node, onnxOp, ins[0]!, ins[1]!);

const unary: OpHandler = (ctx, node, [x]) => {
  const v = x!;
  const fold = FOLD_UNARY[node.op];
  if (v.konst && fold) {
    const c = v.konst;
    const data = c.dtype === 'float32' ? Float32Array.from(c.data, fold) : Int32Array.from(c.data, fold);
    ctx.setOut(node, { shape: v.shape, layout: 'nhwc', dtype: v.dtype, konst: { dtype: c.dtype, shape: c.shape, data } });
    return;
  }
  const { g } = ctx;
  const input = v.konst ? ctx.constInitializer(v, 'nhwc') : v.name;
  const outName = ctx.newName(node);
  switch (node.op) {
    case 'Relu6':
      activation(ctx, node, 'Relu6', input, undefined, v.layout, v.shape.length, outName);
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
    case 'Sigmoid':
      sigmoid(ctx, input, outName);
      break;
    default: {
      const map: Record<string, string> = { Relu: 'Relu', Elu: 'Elu', Tanh: 'Tanh', Neg: 'Neg', Exp: 'Exp', Sqrt: 'Sqrt' };
      const op = map[node.op];
      if (!op) throw new Error(`unsupported unary op ${node.op}`);
      g.node(op, [input], [outName], outName);
    }
  }
  ctx.setOut(node, { name: outName, shape: v.shape, layout: v.layout, dtype: v.dtype });
};

const addN: OpHandler = (ctx, node, ins) => {
  if (ins.length === 1) {
    ctx.alias(node, ins[0]!);
    return;
  }
  const shape = ins.map((v) => v.shape).reduce((p, q) => broadcastShapes(p, q));
  const layout: Layout = shape.length === 4 && ins.every((v) => !v.konst && v.layout === 'nchw') ? 'nchw' : 'nhwc';
  const outName = ctx.newName(node);
  ctx.g.node(
    'Sum',
    ins.map((v) => (v.konst ? ctx.constInitializer(v, layout) : ctx.inLayout(v, layout))),
    [outName],
    outName,
  );
  ctx.setOut(node, { name: outName, shape, layout, dtype: 'float32' });
};

const prelu: OpHandler = (ctx, node, ins) => {
  const [x, alpha] = ins as [Value, Value];
  const outName = ctx.newName(node);
  const layout = x.shape.length === 4 ? x.layout : 'nhwc';
  activation(ctx, node, 'Prelu', ctx.inLayout(x, layout), alpha, layout, x.shape.length, outName);
  ctx.setOut(node, { name: outName, shape: x.shape, layout, dtype: 'float32' });
};

export const ELEMENTWISE_OPS: Record<string, OpHandler> = {
  BiasAdd: binaryAs('Add'),
  Add: binaryAs('Add'),
  AddV2: binaryAs('Add'),
  AddN: addN,
  Sub: binaryAs('Sub'),
  Mul: binaryAs('Mul'),
  RealDiv: binaryAs('Div'),
  Maximum: binaryAs('Max'),
  Minimum: binaryAs('Min'),
  Relu: unary,
  Relu6: unary,
  Elu: unary,
  LeakyRelu: unary,
  Prelu: prelu,
  Sigmoid: unary,
  Tanh: unary,
  Neg: unary,
  Exp: unary,
  Sqrt: unary,
  Rsqrt: unary,
  Square: unary,
};
