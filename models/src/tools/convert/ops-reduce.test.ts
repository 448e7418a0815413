/** Converter unit tests for reductions and softmax: one tiny graph per op, compared with TF.js. */
import { A, describeOpCases, type Case } from '../../../test/tiny-graph.ts';

const cases: Case[] = [
  ['Mean spatial (global average pool)', (g, x) => g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(false) })],
  ['Mean channels keep_dims', (g, x) => g.op('Mean', [x, g.ints([3])], { keep_dims: A.b(true) })],
  ['Mean height', (g, x) => g.op('Mean', [x, g.ints([1])], { keep_dims: A.b(false) })],
  ['Sum', (g, x) => g.op('Sum', [x, g.ints([2, 3])], { keep_dims: A.b(false) })],
  ['Max', (g, x) => g.op('Max', [x, g.ints([-1])], { keep_dims: A.b(true) })],
  ['Softmax (rank 4, last axis)', (g, x) => g.op('Softmax', [x])],
  ['Softmax after Mean', (g, x) => g.op('Softmax', [g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(false) })])],
];

describeOpCases('tfjs-to-onnx ops-reduce: one graph per op, compared with TF.js', cases);
