/** Converter unit tests for padding, reshaping, slicing, concatenation, transposes: one tiny graph per op, compared with TF.js. */
import { A, describeOpCases, type Case } from '../../../test/tiny-graph.ts';

const cases: Case[] = [
  ['Pad (channels, as BlazeFace)', (g, x) => g.op('Pad', [x, g.const([4, 2], [0, 0, 0, 0, 0, 0, 0, 3], 'int32')])],
  ['Pad (spatial)', (g, x) => g.op('Pad', [x, g.const([4, 2], [0, 0, 1, 2, 2, 1, 0, 0], 'int32')])],
  ['PadV2', (g, x) => g.op('PadV2', [x, g.const([4, 2], [0, 0, 1, 1, 0, 2, 0, 0], 'int32'), g.const([], [0.5])])],
  ['MirrorPad REFLECT', (g, x) => g.op('MirrorPad', [x, g.const([4, 2], [0, 0, 2, 1, 1, 2, 0, 0], 'int32')], { mode: A.s('REFLECT') })],
  ['Reshape (BlazeFace head)', (g, x) => g.op('Reshape', [x, g.ints([1, -1, 2])])],
  ['Squeeze', (g, x) => g.op('Squeeze', [g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(true) })], { squeeze_dims: A.ints([1, 2]) })],
  ['ExpandDims', (g, x) => g.op('ExpandDims', [g.op('Mean', [x, g.ints([1, 2])], { keep_dims: A.b(false) }), g.scalarInt(1)])],
  ['ConcatV2 channels', (g, x) => g.op('ConcatV2', [x, g.op('Relu', [x]), g.scalarInt(3)], { N: A.i(2) })],
  ['ConcatV2 width', (g, x) => g.op('ConcatV2', [x, g.op('Neg', [x]), g.scalarInt(-2)], { N: A.i(2) })],
  [
    'StridedSlice masks and steps',
    (g, x) =>
      g.op('StridedSlice', [x, g.ints([0, 1, 0, 1]), g.ints([1, 8, 9, 3]), g.ints([1, 2, 1, 1])], {
        begin_mask: A.i(5),
        end_mask: A.i(5),
        shrink_axis_mask: A.i(0),
        ellipsis_mask: A.i(0),
        new_axis_mask: A.i(0),
      }),
  ],
  [
    'StridedSlice shrink last axis',
    (g, x) =>
      g.op('StridedSlice', [x, g.ints([0, 0, 2, 2]), g.ints([1, 9, -1, 3]), g.ints([1, 1, 1, 1])], {
        begin_mask: A.i(3),
        end_mask: A.i(3),
        shrink_axis_mask: A.i(8),
        ellipsis_mask: A.i(0),
        new_axis_mask: A.i(0),
      }),
  ],
  ['Transpose', (g, x) => g.op('Transpose', [x, g.ints([0, 3, 1, 2])])],
];

describeOpCases('tfjs-to-onnx ops-shape: one graph per op, compared with TF.js', cases);
