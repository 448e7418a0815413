/**
 * A converter from TF.js graph models (model.json + weight shards) to ONNX, written with the
 * `onnx-proto` encoder. It walks the TensorFlow graph backwards from the requested outputs, maps
 * each TF op to ONNX ops and writes a deterministic ModelProto (same input, same bytes).
 *
 * The ops are mapped by family: ops-conv.ts (convolutions, matmul, batch norm), ops-elementwise.ts
 * (arithmetic and activations), ops-shape.ts (pad, reshape, slice, concat, ...), ops-reduce.ts
 * (reductions, softmax) and ops-spatial.ts (pooling, resizing). context.ts explains how NHWC (TF)
 * and NCHW (ONNX convolutions) layouts meet; the model's interface stays NHWC, exactly as the TF.js
 * model's.
 *
 * Constants are folded where an op's inputs are all constant (shape arithmetic, negated PReLU
 * slopes, ...), and consts feeding shape-like inputs (paddings, shapes, axes) are read at
 * conversion time, never left to the runtime.
 */
import type { TensorSpec } from '../../runtime/manifest.ts';
import { ConversionContext, type OpHandler, type Value } from './context.ts';
import { encodeModel, floatValueInfo, onnx } from './onnx-builders.ts';
import { CONV_OPS } from './ops-conv.ts';
import { ELEMENTWISE_OPS } from './ops-elementwise.ts';
import { REDUCE_OPS } from './ops-reduce.ts';
import { SHAPE_OPS } from './ops-shape.ts';
import { SPATIAL_OPS } from './ops-spatial.ts';
import { decodeWeights, parseInputRef, placeholderShape, type TfModelJson, type TfNode } from './tfjs-graph.ts';

export { ONNX_IR_VERSION, ONNX_OPSET } from './onnx-builders.ts';
export const CONVERTER_VERSION = '1.0.0';

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

export type ConvertedTensorSpec = TensorSpec;

export interface ConvertResult {
  bytes: Uint8Array;
  inputs: ConvertedTensorSpec[];
  outputs: ConvertedTensorSpec[];
  /** TF ops met in the converted part of the graph, with counts. */
  tfOps: Record<string, number>;
  onnxOps: Record<string, number>;
}

/** Graph plumbing: constants, inputs and the identities TF.js leaves in (no ONNX node). */
const GRAPH_OPS: Record<string, OpHandler> = {
  Const: (ctx, node) => {
    const w = ctx.weights.get(node.name);
    if (!w) throw new Error(`Const ${node.name} has no weight in the manifest`);
    ctx.setOut(node, { shape: w.shape, layout: 'nhwc', dtype: w.dtype, konst: w });
  },
  Placeholder: (ctx, node) => {
    const name = ctx.inputNameOf.get(node.name);
    if (!name) throw new Error(`Placeholder ${node.name} is not a declared input`);
    ctx.setOut(node, { name, shape: placeholderShape(node), layout: 'nhwc', dtype: 'float32' });
  },
  Identity: (ctx, node, ins) => ctx.alias(node, ins[0]!),
  IdentityN: (ctx, node, ins) => ins.forEach((v, i) => ctx.alias(node, v, i)),
  StopGradient: (ctx, node, ins) => ctx.alias(node, ins[0]!),
};

const OP_HANDLERS: Record<string, OpHandler> = {
  ...GRAPH_OPS,
  ...CONV_OPS,
  ...ELEMENTWISE_OPS,
  ...SPATIAL_OPS,
  ...SHAPE_OPS,
  ...REDUCE_OPS,
};

/** Every TF op this converter maps (Const/Placeholder included). */
export const SUPPORTED_TF_OPS: readonly string[] = Object.keys(OP_HANDLERS);

function convertNode(ctx: ConversionContext, node: TfNode, ins: Value[]): void {
  const handler = OP_HANDLERS[node.op];
  if (!handler) throw new Error(`unsupported TF op ${node.op} (node ${node.name})`);
  handler(ctx, node, ins);
}

/** Converts every node `root` depends on, then `root` (iterative post-order DFS, deterministic). */
function convertUpTo(
  ctx: ConversionContext,
  root: string,
  byName: Map<string, TfNode>,
  state: { visiting: Set<string>; done: Set<string>; tfOps: Record<string, number> },
): void {
  const { visiting, done, tfOps } = state;
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
    const ins = (node.input ?? []).filter((r) => !r.startsWith('^')).map((r) => ctx.resolve(r));
    convertNode(ctx, node, ins);
    done.add(top.name);
  }
}

const sortedCounts = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Converts a TF.js graph model. `readShard` returns the bytes of a weight shard named in the
 * model's weights manifest (e.g. "blazeface.bin").
 */
export function convertTfjsGraphToOnnx(
  model: TfModelJson,
  readShard: (path: string) => Uint8Array,
  options: ConvertOptions,
): ConvertResult {
  const byName = new Map<string, TfNode>();
  for (const n of model.modelTopology.node) byName.set(n.name, n);
  const ctx = new ConversionContext(decodeWeights(model, readShard), new Map(options.inputs.map((i) => [i.tfName, i.name])));
  const { g } = ctx;
  for (const io of [...options.inputs, ...options.outputs]) g.reserve(io.name);
  const state = { visiting: new Set<string>(), done: new Set<string>(), tfOps: {} as Record<string, number> };
  for (const io of options.inputs) convertUpTo(ctx, io.tfName, byName, state);
  for (const io of options.outputs) convertUpTo(ctx, io.tfName, byName, state);

  const batchName = options.batchDimName ?? 'N';
  const dims = (shape: number[]) => shape.map((d) => (d < 0 ? batchName : d));
  const inputs: ConvertedTensorSpec[] = options.inputs.map((io) => ({
    name: io.name,
    type: 'float32',
    shape: dims(ctx.resolve(io.tfName).shape),
  }));
  const outputs: ConvertedTensorSpec[] = options.outputs.map((io) => {
    const v = ctx.resolve(io.tfName);
    if (v.konst) throw new Error(`output ${io.tfName} is a constant`);
    g.node('Identity', [ctx.nhwc(v)], [io.name], io.name);
    return { name: io.name, type: 'float32', shape: dims(v.shape) };
  });

  const graph = onnx.GraphProto.create({
    name: options.graphName,
    node: g.nodes,
    initializer: g.initializers,
    input: inputs.map((i) => floatValueInfo(i.name, i.shape)),
    output: outputs.map((o) => floatValueInfo(o.name, o.shape)),
  });
  const bytes = encodeModel({
    graph,
    producerVersion: CONVERTER_VERSION,
    modelVersion: options.modelVersion ?? 1,
    docString: options.docString ?? '',
    metadata: { converter: `@attune/models tfjs-to-onnx ${CONVERTER_VERSION}`, ...(options.metadata ?? {}) },
  });
  return { bytes, inputs, outputs, tfOps: sortedCounts(state.tfOps), onnxOps: sortedCounts(g.onnxOps) };
}
