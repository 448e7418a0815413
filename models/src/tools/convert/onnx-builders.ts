/**
 * onnx-proto helpers shared by everything in this package that writes ONNX (the TF.js converter
 * and the wearable model's logistic graph): attributes, tensors, value infos and the ModelProto
 * envelope. Encoding is deterministic (no timestamps, metadata sorted by key), so the same graph
 * always gives the same bytes and the manifest's sha256 is reproducible.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type NodeProto = InstanceType<typeof onnx.NodeProto>;
export type TensorProto = InstanceType<typeof onnx.TensorProto>;
export type AttributeProto = InstanceType<typeof onnx.AttributeProto>;
export type GraphProto = InstanceType<typeof onnx.GraphProto>;

/** ONNX IR 8 / opset 13: supported by onnxruntime 1.10 and later, and by onnx-proto 8. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;
export const PRODUCER_NAME = '@attune/models';

/** A node attribute: a string, an int (or a float with kind 'float'), or a list of ints (or floats). */
export function attr(
  name: string,
  value: number | number[] | string | Float32Array | number[][],
  kind?: 'float' | 'floats',
): AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') {
    if (kind === 'float') return onnx.AttributeProto.create({ name, type: T.FLOAT, f: value });
    return onnx.AttributeProto.create({ name, type: T.INT, i: value });
  }
  if (kind === 'floats') return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: Array.from(value as number[]) });
  return onnx.AttributeProto.create({ name, type: T.INTS, ints: Array.from(value as number[]) });
}

/** A tensor with its values as little-endian raw bytes. */
export function rawTensor(
  name: string,
  dims: number[],
  dtype: 'float32' | 'int32' | 'int64',
  values: ArrayLike<number> | bigint[],
): TensorProto {
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

/** A float32 tensor with its values in float_data (rounded to float32). */
export function floatDataTensor(name: string, dims: number[], values: number[]): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: values.map((v) => Math.fround(v)),
  });
}

/** A float32 graph input or output; a string dimension is symbolic (e.g. the batch "N"). */
export function floatValueInfo(name: string, dims: (number | string)[]) {
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

export interface ModelEnvelope {
  graph: GraphProto;
  producerVersion: string;
  modelVersion: number;
  docString: string;
  /** Key/value metadata stored in the model, written sorted by key. */
  metadata: Record<string, string>;
}

/** Wraps a graph in a ModelProto (IR 8, default-domain opset 13) and encodes it. */
export function encodeModel(m: ModelEnvelope): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: ONNX_OPSET })],
    producerName: PRODUCER_NAME,
    producerVersion: m.producerVersion,
    modelVersion: m.modelVersion,
    docString: m.docString,
    graph: m.graph,
    metadataProps: Object.entries(m.metadata)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
