/**
 * The benchmark's frames, identical for Attune and the peer: two public-domain portraits
 * (fixtures/README.md) and a synthetic face, placed at several sizes and positions, mirrored and
 * re-lit by ffmpeg into 640x480 RGB24. Deterministic; made in memory at run time.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { syntheticFace } from '@attune/models/tools';
import { ffmpegPath } from '@attune/edge-agent/camera';

export const WIDTH = 640;
export const HEIGHT = 480;

export interface BenchFrame {
  label: string;
  data: Uint8Array;
}

const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

function place(file: string, heightPx: number, x: number, y: number, flip: boolean, brightness: number): Uint8Array {
  const vf = [
    `scale=-2:${heightPx}`,
    ...(flip ? ['hflip'] : []),
    `eq=brightness=${brightness}`,
    `pad=${WIDTH}:${HEIGHT}:${x}:${y}:color=0x505860`,
    'format=rgb24',
  ].join(',');
  return execFileSync(
    ffmpegPath(),
    ['-loglevel', 'error', '-i', file, '-vf', vf, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    {
      maxBuffer: WIDTH * HEIGHT * 3 + 1024,
    },
  );
}

export function benchFrames(): BenchFrame[] {
  const frames: BenchFrame[] = [];
  const variants: [number, number, number, boolean, number][] = [
    [256, 192, 112, false, 0],
    [256, 40, 200, true, 0],
    [320, 300, 80, false, 0.06],
    [320, 10, 150, true, -0.06],
    [400, 120, 40, false, 0],
    [400, 230, 60, true, 0.04],
    [460, 90, 10, false, -0.04],
    [200, 400, 260, false, 0],
    [300, 170, 170, true, 0.1],
    [360, 280, 100, false, -0.1],
  ];
  for (const name of ['astronaut.jpg', 'grace-hopper.jpg']) {
    for (const [h, x, y, flip, b] of variants)
      frames.push({ label: `${name} h${h} @${x},${y}${flip ? ' flipped' : ''} b${b}`, data: place(fixture(name), h, x, y, flip, b) });
  }
  for (const [i, [cx, cy, scale, smile]] of (
    [
      [0.5, 0.52, 0.17, 0.15],
      [0.35, 0.5, 0.14, -0.2],
      [0.62, 0.55, 0.2, 0.3],
      [0.45, 0.48, 0.12, 0],
    ] as const
  ).entries()) {
    const img = syntheticFace({ width: WIDTH, height: HEIGHT, cx, cy, scale, smile });
    frames.push({ label: `synthetic ${i}`, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) });
  }
  return frames;
}
