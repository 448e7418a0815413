/**
 * Collects the ONNX graph the converter writes: nodes in emission order, initializers (each name
 * once), and unique tensor names. Emission order and names are deterministic, so the bytes are.
 */
import { onnx, rawTensor, type AttributeProto, type NodeProto, type TensorProto } from './onnx-builders.ts';

export class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly usedNames = new Set<string>();
  readonly onnxOps: Record<string, number> = {};

  unique(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  reserve(name: string): void {
    this.usedNames.add(name);
  }

  initializer(name: string, dims: number[], dtype: 'float32' | 'int32' | 'int64', values: ArrayLike<number> | bigint[]): string {
    if (!this.initializerNames.has(name)) {
      this.initializerNames.add(name);
      this.usedNames.add(name);
      this.initializers.push(rawTensor(name, dims, dtype, values));
    }
    return name;
  }

  int64s(base: string, values: (number | bigint)[]): string {
    const key = `${base}=${values.map(String).join(',')}`;
    return this.initializer(
      key,
      [values.length],
      'int64',
      values.map((v) => (typeof v === 'bigint' ? v : BigInt(v))),
    );
  }

  node(opType: string, inputs: string[], outputs: string[], name: string, attributes: AttributeProto[] = []): void {
    this.onnxOps[opType] = (this.onnxOps[opType] ?? 0) + 1;
    this.nodes.push(
      onnx.NodeProto.create({ name: this.unique(`node:${name}`), opType, input: inputs, output: outputs, attribute: attributes }),
    );
  }
}
