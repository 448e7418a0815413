/**
 * Writes a logistic model as an ONNX graph with onnx-proto: features[N,F] -MatMul W[F,1]-> -Add b[1]->
 * -Sigmoid-> distress[N,1]. The encoding is deterministic (no timestamps, fixed field order), so the
 * same weights always give the same bytes and the manifest hash is reproducible.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface LogisticGraphSpec {
  graphName: string;
  modelVersion: number;
  docString: string;
  inputName: string;
  outputName: string;
  weights: number[];
  bias: number;
  /** Extra key/value metadata stored in the model (e.g. the semantic version, feature order). */
  metadata: Record<string, string>;
}

/** ONNX IR 8 with opset 13 runs on onnxruntime 1.10+ and is what onnx-proto 8 describes. */
const IR_VERSION = 8;
const OPSET = 13;

function floatTensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: values.map((v) => Math.fround(v)),
  });
}

function floatValueInfo(name: string, dims: (number | string)[]) {
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

export function buildLogisticOnnx(spec: LogisticGraphSpec): Uint8Array {
  const featureCount = spec.weights.length;
  const graph = onnx.GraphProto.create({
    name: spec.graphName,
    initializer: [floatTensor('W', [featureCount, 1], spec.weights), floatTensor('B', [1], [spec.bias])],
    input: [floatValueInfo(spec.inputName, ['N', featureCount])],
    output: [floatValueInfo(spec.outputName, ['N', 1])],
    node: [
      onnx.NodeProto.create({ name: 'weighted_sum', opType: 'MatMul', input: [spec.inputName, 'W'], output: ['weighted'] }),
      onnx.NodeProto.create({ name: 'add_bias', opType: 'Add', input: ['weighted', 'B'], output: ['logit'] }),
      onnx.NodeProto.create({ name: 'sigmoid', opType: 'Sigmoid', input: ['logit'], output: [spec.outputName] }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
    producerName: '@attune/models',
    producerVersion: '1',
    modelVersion: spec.modelVersion,
    docString: spec.docString,
    graph,
    metadataProps: Object.entries(spec.metadata)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
