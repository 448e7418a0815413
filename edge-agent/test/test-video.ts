/** Test helpers: synthetic media made at test time with ffmpeg's lavfi sources (nothing committed). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ffmpegPath } from '../src/sources/camera/ffmpeg-binary.ts';

export function makeTestVideo(dir: string, seconds = 4, name = 'testsrc.mp4'): string {
  const path = join(dir, name);
  execFileSync(ffmpegPath(), [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=320x240:rate=10`,
    '-pix_fmt',
    'yuv420p',
    path,
  ]);
  return path;
}

export function makeTestImages(dir: string, count = 2): string[] {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `frame-${i}.png`);
    execFileSync(ffmpegPath(), ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=200x100:rate=1`, '-frames:v', '1', path]);
    paths.push(path);
  }
  return paths;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
