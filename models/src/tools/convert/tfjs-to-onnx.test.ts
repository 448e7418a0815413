/**
 * Converter tests of what is not one op family: graph plumbing, rank-2 matmuls, a symbolic batch
 * dimension, float16 weights and refusing unknown ops. The op families have their own tests
 * (ops-*.test.ts), each tiny graph compared with TF.js executing the very same graph.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { A, check, conv, describeOpCases, TinyGraph, TOL } from '../../../test/tiny-graph.ts';
import { seededUniform } from '../face-golden.ts';
import { halfToFloat } from './tfjs-graph.ts';
import { convertTfjsGraphToOnnx, SUPPORTED_TF_OPS } from './tfjs-to-onnx.ts';
import { loadTfjsReference, runTfjsReference } from './tfjs-reference.ts';

describeOpCases('tfjs-to-onnx: graph plumbing, compared with TF.js', [
  ['Identity / StopGradient chain', (g, x) => g.op('Identity', [g.op('StopGradient', [g.op('Relu', [x])])])],
]);

describe('tfjs-to-onnx: the driver', () => {
  it('MatMul and _FusedMatMul (transpose_b, BiasAdd+Relu) on rank 2', async () => {
    const g = new TinyGraph([3, 5]);
    const mm = g.op('MatMul', ['x', g.rand([5, 4])], { transpose_a: A.b(false), transpose_b: A.b(false) });
    expect(await check(g, mm)).toBeLessThan(TOL);
    const g2 = new TinyGraph([3, 5]);
    const fm = g2.op('_FusedMatMul', ['x', g2.rand([6, 5]), g2.rand([6])], {
      transpose_a: A.b(false),
      transpose_b: A.b(true),
      fused_ops: A.strs(['BiasAdd', 'Relu']),
      num_args: A.i(1),
      epsilon: A.f(0),
    });
    expect(await check(g2, fm)).toBeLessThan(TOL);
  });

  it('a dynamic batch dimension stays symbolic and runs with batch 3', async () => {
    const g = new TinyGraph([-1, 6, 6, 2]);
    const c = g.op(
      '_FusedConv2D',
      ['x', g.rand([3, 3, 2, 3]), g.rand([3])],
      conv({ strides: [1, 2, 2, 1], padding: 'SAME', fused: ['BiasAdd', 'Relu'], numArgs: 1 }),
    );
    const r = g.op('Reshape', [c, g.ints([-1, 27])]);
    const res = convertTfjsGraphToOnnx(g.model(), () => g.shard(), {
      graphName: 't',
      inputs: [{ tfName: 'x', name: 'x' }],
      outputs: [{ tfName: r, name: 'y' }],
    });
    expect(res.inputs[0]!.shape).toEqual(['N', 6, 6, 2]);
    expect(res.outputs[0]!.shape).toEqual(['N', 27]);
    const shape = [3, 6, 6, 2];
    const data = seededUniform(216, 11, -1, 1);
    const session = await ort.InferenceSession.create(res.bytes);
    const got = (await session.run({ x: new ort.Tensor('float32', data, shape) })).y!;
    const ref = await loadTfjsReference(g.model(), () => g.shard());
    const [want] = await runTfjsReference(ref, { data, shape, name: 'x' }, [r]);
    expect(got.dims).toEqual([3, 27]);
    const a = got.data as Float32Array;
    want!.data.forEach((v, i) => expect(Math.abs(v - a[i]!)).toBeLessThan(1e-5));
  });

  it('decodes float16 exactly, including subnormals and infinities', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('rejects unsupported ops with the op and node name', () => {
    const g = new TinyGraph([1, 2, 2, 1]);
    const bad = g.op('Cumsum', ['x', g.scalarInt(1)]);
    expect(() =>
      convertTfjsGraphToOnnx(g.model(), () => g.shard(), {
        graphName: 't',
        inputs: [{ tfName: 'x', name: 'x' }],
        outputs: [{ tfName: bad, name: 'y' }],
      }),
    ).toThrow(/unsupported TF op Cumsum \(node cumsum_/);
    expect(SUPPORTED_TF_OPS).toContain('_FusedConv2D');
  });
});
