/**
 * Test media made at test time: a short video of a procedurally drawn face (no photograph, no
 * rights question), written by ffmpeg from raw frames into a temporary folder.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { syntheticFace } from '@attune/models/tools';
import { ffmpegPath } from '../src/sources/camera/ffmpeg-binary.ts';

export interface SyntheticVideoOptions {
  frames?: number;
  fps?: number;
  width?: number;
  height?: number;
}

export async function makeSyntheticFaceVideo(dir: string, o: SyntheticVideoOptions = {}): Promise<string> {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const frames = o.frames ?? 20;
  const fps = o.fps ?? 4;
  const path = join(dir, 'synthetic-face.mp4');
  const ff = spawn(
    ffmpegPath(),
    [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      String(fps),
      '-i',
      'pipe:0',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'mpeg4',
      '-q:v',
      '3',
      path,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let err = '';
  ff.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<void>((resolve, reject) =>
    ff.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg: ${err}`)))),
  );
  for (let i = 0; i < frames; i++) {
    // A little head movement and a changing mouth, like a person in bed.
    const img = syntheticFace({
      width,
      height,
      cx: 0.5 + 0.02 * Math.sin(i / 3),
      cy: 0.52 + 0.01 * Math.cos(i / 4),
      smile: 0.15 * Math.cos(i / 5),
    });
    if (!ff.stdin.write(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)))
      await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
  return path;
}
