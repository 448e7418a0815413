/** Converter unit tests for element-wise ops and activations: one tiny graph per op, compared with TF.js. */
import { A, describeOpCases, type Case } from '../../../test/tiny-graph.ts';

const cases: Case[] = [
  ['BiasAdd', (g, x) => g.op('BiasAdd', [x, g.rand([4])], { data_format: A.s('NHWC') })],
  ['Add per-channel const', (g, x) => g.op('Add', [x, g.rand([4])])],
  ['AddV2 tensor+tensor', (g, x) => g.op('AddV2', [x, g.op('Relu', [x])])],
  ['Sub const-first', (g, x) => g.op('Sub', [g.rand([1, 1, 4]), x])],
  ['Mul scalar', (g, x) => g.op('Mul', [x, g.const([], [1.7])])],
  ['RealDiv per-channel', (g, x) => g.op('RealDiv', [x, g.rand([4], 0.5, 2)])],
  ['Maximum', (g, x) => g.op('Maximum', [x, g.rand([9, 4])])],
  ['Minimum', (g, x) => g.op('Minimum', [x, g.const([], [0.3])])],
  ['AddN', (g, x) => g.op('AddN', [x, g.op('Sigmoid', [x]), g.op('Tanh', [x])], { N: A.i(3) })],
  ['Relu', (g, x) => g.op('Relu', [x])],
  ['Relu6', (g, x) => g.op('Relu6', [g.op('Mul', [x, g.const([], [4])])])],
  ['Elu', (g, x) => g.op('Elu', [x])],
  ['LeakyRelu', (g, x) => g.op('LeakyRelu', [x], { alpha: A.f(0.2) })],
  ['Sigmoid (saturated inputs)', (g, x) => g.op('Sigmoid', [g.op('Mul', [x, g.const([], [12])])])],
  ['Tanh', (g, x) => g.op('Tanh', [x])],
  ['Neg', (g, x) => g.op('Neg', [x])],
  ['Exp', (g, x) => g.op('Exp', [x])],
  ['Sqrt', (g, x) => g.op('Sqrt', [g.op('Relu', [x])])],
  ['Rsqrt', (g, x) => g.op('Rsqrt', [g.op('AddV2', [g.op('Relu', [x]), g.const([], [0.5])])])],
  ['Square', (g, x) => g.op('Square', [x])],
  ['Prelu (alpha from folded Neg)', (g, x) => g.op('Prelu', [x, g.op('Neg', [g.rand([1, 1, 4], -0.5, 0)])])],
];

describeOpCases('tfjs-to-onnx ops-elementwise: one graph per op, compared with TF.js', cases);
