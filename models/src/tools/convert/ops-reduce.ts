/**
 * Reductions (Mean, Sum, Max over constant axes) and Softmax. An NCHW input is reduced in place
 * when the result's axis order does not depend on the layout; otherwise it is read as NHWC.
 */
import type { Layout, OpHandler, Value } from './context.ts';
import { attr } from './onnx-builders.ts';
import { NHWC_TO_NCHW, reduceAxes } from './tensor-math.ts';
import { attrBool } from './tfjs-graph.ts';

const ONNX_REDUCE: Record<string, string> = { Mean: 'ReduceMean', Sum: 'ReduceSum', Max: 'ReduceMax' };

const reduce: OpHandler = (ctx, node, ins) => {
  const [x, a] = ins as [Value, Value];
  const rank = x.shape.length;
  const axes = reduceAxes(Array.from(ctx.constOf(a, 'reduction axes', node).data), rank);
  const keep = attrBool(node, 'keep_dims', false);
  let layout: Layout = rank === 4 ? x.layout : 'nhwc';
  const physAxes = (l: Layout) => (l === 'nchw' ? axes.map((ax) => NHWC_TO_NCHW.indexOf(ax)).sort((p, q) => p - q) : axes);
  if (layout === 'nchw' && !keep) {
    // Without kept dims the result is only layout-free if the surviving axes keep their order.
    const remainingLogical = [0, 1, 2, 3].filter((d) => !axes.includes(d));
    const remainingPhysical = NHWC_TO_NCHW.filter((d) => !axes.includes(d));
    if (remainingLogical.join() !== remainingPhysical.join()) layout = 'nhwc';
  }
  const outName = ctx.newName(node);
  const onnxOp = ONNX_REDUCE[node.op]!;
  const pa = physAxes(layout);
  // Opset 13 takes ReduceSum's axes as an input, the other reductions' as an attribute.
  if (onnxOp === 'ReduceSum') {
    ctx.g.node(onnxOp, [ctx.inLayout(x, layout), ctx.g.int64s('axes', pa)], [outName], outName, [attr('keepdims', keep ? 1 : 0)]);
  } else {
    ctx.g.node(onnxOp, [ctx.inLayout(x, layout)], [outName], outName, [attr('axes', pa), attr('keepdims', keep ? 1 : 0)]);
  }
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  ctx.setOut(node, { name: outName, shape, layout: keep ? layout : 'nhwc', dtype: x.dtype });
};

const softmax: OpHandler = (ctx, node, ins) => {
  const x = ins[0]!;
  const outName = ctx.newName(node);
  if (x.shape.length === 4 && x.layout === 'nchw') {
    ctx.g.node('Softmax', [x.name], [outName], outName, [attr('axis', 1)]);
    ctx.setOut(node, { name: outName, shape: x.shape, layout: 'nchw', dtype: 'float32' });
  } else {
    ctx.g.node('Softmax', [ctx.nhwc(x)], [outName], outName, [attr('axis', -1)]);
    ctx.setOut(node, { name: outName, shape: x.shape, layout: 'nhwc', dtype: 'float32' });
  }
};

export const REDUCE_OPS: Record<string, OpHandler> = {
  Mean: reduce,
  Sum: reduce,
  Max: reduce,
  Softmax: softmax,
};
