/**
 * Spatial ops on NHWC images: TF padding arithmetic (shared with the convolutions), max and
 * average pooling, and bilinear resizing. Pools and Resize run NCHW in ONNX.
 */
import type { OpHandler, Value } from './context.ts';
import { attr } from './onnx-builders.ts';
import { attrBool, attrInts, attrString, type TfNode } from './tfjs-graph.ts';

/** TF 'SAME'/'VALID'/'EXPLICIT' padding to ONNX [begin..., end...] pads for 2 spatial dims. */
export function spatialPads(
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

const pool: OpHandler = (ctx, node, ins) => {
  const op = node.op;
  const x = ins[0]!;
  if (attrString(node, 'data_format', 'NHWC') !== 'NHWC') throw new Error(`${op} ${node.name}: only NHWC pools are supported`);
  const k = attrInts(node, 'ksize');
  const s = attrInts(node, 'strides');
  const { pads, outHW } = spatialPads(node, [x.shape[1]!, x.shape[2]!], [k[1]!, k[2]!], [s[1]!, s[2]!], [1, 1]);
  const outName = ctx.newName(node);
  const attrs = [attr('kernel_shape', [k[1]!, k[2]!]), attr('strides', [s[1]!, s[2]!]), attr('pads', pads)];
  // TF average pooling divides by the number of valid (unpadded) cells: count_include_pad=0.
  if (op === 'AvgPool') attrs.push(attr('count_include_pad', 0));
  ctx.g.node(op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [ctx.inLayout(x, 'nchw')], [outName], outName, attrs);
  ctx.setOut(node, { name: outName, shape: [x.shape[0]!, outHW[0], outHW[1], x.shape[3]!], layout: 'nchw', dtype: 'float32' });
};

const resizeBilinear: OpHandler = (ctx, node, ins) => {
  const { g } = ctx;
  const [x, s] = ins as [Value, Value];
  const [oh, ow] = Array.from(ctx.constOf(s, 'the size', node).data) as [number, number];
  const align = attrBool(node, 'align_corners', false);
  const half = attrBool(node, 'half_pixel_centers', false);
  const mode = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
  const outName = ctx.newName(node);
  let sizes: string;
  if (x.shape[0]! >= 0 && x.shape[3]! >= 0) {
    sizes = g.int64s('sizes', [x.shape[0]!, x.shape[3]!, oh, ow]);
  } else {
    const shp = g.unique(`${node.name}/shape`);
    const nc = g.unique(`${node.name}/nc`);
    sizes = g.unique(`${node.name}/sizes`);
    g.node('Shape', [ctx.inLayout(x, 'nchw')], [shp], shp);
    g.node('Slice', [shp, g.int64s('starts', [0]), g.int64s('ends', [2])], [nc], nc);
    g.node('Concat', [nc, g.int64s('hw', [oh, ow])], [sizes], sizes, [attr('axis', 0)]);
  }
  g.node('Resize', [ctx.inLayout(x, 'nchw'), '', '', sizes], [outName], outName, [
    attr('mode', 'linear'),
    attr('coordinate_transformation_mode', mode),
  ]);
  ctx.setOut(node, { name: outName, shape: [x.shape[0]!, oh, ow, x.shape[3]!], layout: 'nchw', dtype: 'float32' });
};

export const SPATIAL_OPS: Record<string, OpHandler> = {
  MaxPool: pool,
  AvgPool: pool,
  ResizeBilinear: resizeBilinear,
};
