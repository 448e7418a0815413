/**
 * Writes a logistic model as an ONNX graph with onnx-proto: features[N,F] -MatMul W[F,1]-> -Add b[1]->
 * -Sigmoid-> distress[N,1]. The encoding is deterministic (no timestamps, fixed field order), so the
 * same weights always give the same bytes and the manifest hash is reproducible.
 */
import { encodeModel, floatDataTensor, floatValueInfo, onnx } from './convert/onnx-builders.ts';

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

export function buildLogisticOnnx(spec: LogisticGraphSpec): Uint8Array {
  const featureCount = spec.weights.length;
  const graph = onnx.GraphProto.create({
    name: spec.graphName,
    initializer: [floatDataTensor('W', [featureCount, 1], spec.weights), floatDataTensor('B', [1], [spec.bias])],
    input: [floatValueInfo(spec.inputName, ['N', featureCount])],
    output: [floatValueInfo(spec.outputName, ['N', 1])],
    node: [
      onnx.NodeProto.create({ name: 'weighted_sum', opType: 'MatMul', input: [spec.inputName, 'W'], output: ['weighted'] }),
      onnx.NodeProto.create({ name: 'add_bias', opType: 'Add', input: ['weighted', 'B'], output: ['logit'] }),
      onnx.NodeProto.create({ name: 'sigmoid', opType: 'Sigmoid', input: ['logit'], output: [spec.outputName] }),
    ],
  });
  return encodeModel({
    graph,
    producerVersion: '1',
    modelVersion: spec.modelVersion,
    docString: spec.docString,
    metadata: spec.metadata,
  });
}
