/** Converter unit tests for convolutions and batch norm: one tiny graph per op, compared with TF.js. */
import { seededUniform } from '../face-golden.ts';
import { conv, A, describeOpCases, type Case } from '../../../test/tiny-graph.ts';

const cases: Case[] = [
  ['Conv2D SAME stride 2', (g, x) => g.op('Conv2D', [x, g.rand([3, 3, 4, 5])], conv({ strides: [1, 2, 2, 1], padding: 'SAME' }))],
  [
    'Conv2D VALID dilation 2',
    (g, x) => g.op('Conv2D', [x, g.rand([3, 3, 4, 3])], conv({ strides: [1, 1, 1, 1], padding: 'VALID', dilations: [1, 2, 2, 1] })),
  ],
  [
    '_FusedConv2D BiasAdd',
    (g, x) =>
      g.op('_FusedConv2D', [x, g.rand([3, 3, 4, 6]), g.rand([6])], conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd'] })),
  ],
  [
    '_FusedConv2D BiasAdd+Relu',
    (g, x) =>
      g.op(
        '_FusedConv2D',
        [x, g.rand([2, 2, 4, 6]), g.rand([6])],
        conv({ strides: [1, 2, 2, 1], padding: 'SAME', fused: ['BiasAdd', 'Relu'], numArgs: 1 }),
      ),
  ],
  [
    '_FusedConv2D BiasAdd+Relu6',
    (g, x) =>
      g.op(
        '_FusedConv2D',
        [x, g.rand([3, 3, 4, 6], -3, 3), g.rand([6])],
        conv({ strides: [1, 1, 1, 1], padding: 'VALID', fused: ['BiasAdd', 'Relu6'], numArgs: 1 }),
      ),
  ],
  [
    '_FusedConv2D BiasAdd+Prelu (fp16 weights)',
    (g, x) =>
      g.op(
        '_FusedConv2D',
        [
          x,
          g.const([1, 1, 4, 6], seededUniform(24, 3, -1, 1), 'float32', 'float16'),
          g.rand([6]),
          g.const([1, 1, 6], seededUniform(6, 4, 0, 0.5), 'float32', 'float16'),
        ],
        conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd', 'Prelu'], numArgs: 2 }),
      ),
  ],
  [
    '_FusedConv2D BiasAdd+LeakyRelu (uint8 weights)',
    (g, x) =>
      g.op('_FusedConv2D', [x, g.const([3, 3, 4, 2], seededUniform(72, 5, -1, 1), 'float32', 'uint8'), g.rand([2])], {
        ...conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd', 'LeakyRelu'], numArgs: 1 }),
        leakyrelu_alpha: A.f(0.1),
      }),
  ],
  [
    'DepthwiseConv2dNative SAME stride 2',
    (g, x) => g.op('DepthwiseConv2dNative', [x, g.rand([3, 3, 4, 1])], conv({ strides: [1, 2, 2, 1], padding: 'SAME' })),
  ],
  [
    'DepthwiseConv2dNative multiplier 2',
    (g, x) => g.op('DepthwiseConv2dNative', [x, g.rand([5, 5, 4, 2])], conv({ strides: [1, 1, 1, 1], padding: 'SAME' })),
  ],
  [
    'FusedDepthwiseConv2dNative BiasAdd+Relu6',
    (g, x) =>
      g.op(
        'FusedDepthwiseConv2dNative',
        [x, g.rand([3, 3, 4, 1], -3, 3), g.rand([4])],
        conv({ strides: [1, 1, 1, 1], padding: 'SAME', fused: ['BiasAdd', 'Relu6'], numArgs: 1 }),
      ),
  ],
  [
    'FusedBatchNormV3',
    (g, x) =>
      g.op('FusedBatchNormV3', [x, g.rand([4], 0.5, 1.5), g.rand([4]), g.rand([4]), g.rand([4], 0.5, 2)], {
        epsilon: A.f(0.001),
        is_training: A.b(false),
        data_format: A.s('NHWC'),
      }),
  ],
];

describeOpCases('tfjs-to-onnx ops-conv: one graph per op, compared with TF.js', cases);
