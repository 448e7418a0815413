/** Converter unit tests for pooling and bilinear resizing: one tiny graph per op, compared with TF.js. */
import { A, describeOpCases, type Case } from '../../../test/tiny-graph.ts';

const cases: Case[] = [
  [
    'MaxPool SAME 3x3/2',
    (g, x) =>
      g.op('MaxPool', [x], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') }),
  ],
  [
    'MaxPool VALID 2x2/2',
    (g, x) =>
      g.op('MaxPool', [x], { ksize: A.ints([1, 2, 2, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('VALID'), data_format: A.s('NHWC') }),
  ],
  [
    'AvgPool SAME 3x3/2',
    (g, x) =>
      g.op('AvgPool', [x], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') }),
  ],
  ['ResizeBilinear', (g, x) => g.op('ResizeBilinear', [x, g.ints([14, 5])], { align_corners: A.b(false), half_pixel_centers: A.b(false) })],
  [
    'ResizeBilinear align_corners',
    (g, x) => g.op('ResizeBilinear', [x, g.ints([5, 17])], { align_corners: A.b(true), half_pixel_centers: A.b(false) }),
  ],
  [
    'ResizeBilinear half_pixel_centers',
    (g, x) => g.op('ResizeBilinear', [x, g.ints([13, 6])], { align_corners: A.b(false), half_pixel_centers: A.b(true) }),
  ],
];

describeOpCases('tfjs-to-onnx ops-spatial: one graph per op, compared with TF.js', cases);
