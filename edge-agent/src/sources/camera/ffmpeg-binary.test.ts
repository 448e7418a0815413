import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../../../test/temp-dirs.ts';
import { ffmpegFrameArgs } from './ffmpeg-args.ts';
import { bundledFfmpeg, describeFfmpeg, ffmpegOnPath, findFfmpeg } from './ffmpeg-binary.ts';
import { decodeImage } from './image-folder-camera.ts';

const tempDir = tempDirPerTest();

describe('which ffmpeg runs', () => {
  it('takes an executable ffmpeg from the PATH, skipping folders without one, non-executable files and folders named ffmpeg', () => {
    const dir = tempDir('attune-ffmpeg-path-');
    const [empty, notExecutable, folder, good] = ['empty', 'not-executable', 'folder', 'good'].map((name) => join(dir, name));
    for (const d of [empty!, notExecutable!, folder!, good!]) mkdirSync(d);
    writeFileSync(join(notExecutable!, 'ffmpeg'), '#!/bin/sh\n');
    mkdirSync(join(folder!, 'ffmpeg'));
    writeFileSync(join(good!, 'ffmpeg'), '#!/bin/sh\n');
    chmodSync(join(good!, 'ffmpeg'), 0o755);
    expect(ffmpegOnPath([empty, notExecutable, folder, good].join(delimiter))).toBe(join(good!, 'ffmpeg'));
    expect(ffmpegOnPath([empty, notExecutable, folder].join(delimiter))).toBeNull();
    expect(ffmpegOnPath('')).toBeNull();
  });

  it('prefers the configured one, then the PATH, then the bundled one', () => {
    const bundled = () => '/bundled/ffmpeg';
    expect(findFfmpeg('/opt/ffmpeg/bin/ffmpeg', { onPath: () => '/usr/bin/ffmpeg', bundled })).toEqual({
      path: '/opt/ffmpeg/bin/ffmpeg',
      origin: 'config',
    });
    expect(findFfmpeg(undefined, { onPath: () => '/usr/bin/ffmpeg', bundled })).toEqual({ path: '/usr/bin/ffmpeg', origin: 'PATH' });
    const fallback = findFfmpeg(undefined, { onPath: () => null, bundled });
    expect(fallback).toEqual({ path: '/bundled/ffmpeg', origin: 'bundled' });
    expect(describeFfmpeg(fallback)).toBe('/bundled/ffmpeg (bundled, @ffmpeg-installer/ffmpeg)');
  });

  it('without either, says both ways to get one and why the bundled one is missing', () => {
    const missing = () => {
      throw new Error('Cannot find module');
    };
    expect(() => findFfmpeg(undefined, { onPath: () => null, bundled: missing })).toThrow(
      /no ffmpeg found: none on the PATH.*@ffmpeg-installer\/ffmpeg is unavailable \(Cannot find module\).*apt-get install ffmpeg.*npm install/,
    );
  });
});

// The fallback must do everything the agent and the tests ask of an ffmpeg, whatever is on this
// machine's PATH: so these run the bundled binary by its own path.
describe('the bundled ffmpeg (@ffmpeg-installer/ffmpeg)', () => {
  const run = (args: string[], input?: Buffer) => execFileSync(bundledFfmpeg(), ['-nostdin', '-loglevel', 'error', ...args], { input });
  const rgbBytes = (w: number, h: number) => w * h * 3;

  it('has the inputs, filters, encoders and decoders the camera sources and test media use', () => {
    const list = (what: string) => execFileSync(bundledFfmpeg(), ['-hide_banner', `-${what}`]).toString();
    const names = (text: string) => new Set(text.split('\n').map((line) => line.trim().split(/\s+/)[1]));
    const demuxers = names(list('demuxers'));
    for (const d of ['lavfi', 'rawvideo', 'rtsp', 'image2', 'mov,mp4,m4a,3gp,3g2,mj2']) expect(demuxers, d).toContain(d);
    expect(
      [...demuxers].some((d) => d?.split(',').includes('v4l2')),
      'v4l2',
    ).toBe(true);
    const filters = names(list('filters'));
    for (const f of ['testsrc', 'fps', 'scale', 'pad', 'format', 'hflip', 'eq']) expect(filters, f).toContain(f);
    const encoders = names(list('encoders'));
    for (const e of ['mpeg4', 'libx264', 'rawvideo', 'png']) expect(encoders, e).toContain(e);
    const decoders = names(list('decoders'));
    for (const d of ['h264', 'mpeg4', 'rawvideo', 'png', 'mjpeg', 'bmp', 'ppm', 'pgm', 'webp', 'tiff']) expect(decoders, d).toContain(d);
  });

  it('encodes raw RGB from a pipe and a lavfi test pattern to video, and decodes both into the camera pipe', () => {
    const dir = tempDir('attune-ffmpeg-bundled-');
    const fromPipe = join(dir, 'from-pipe.mp4');
    const frames = Buffer.alloc(rgbBytes(64, 48) * 4, 0x80);
    run(
      ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '64x48', '-r', '4', '-i', 'pipe:0', '-pix_fmt', 'yuv420p', '-c:v', 'mpeg4', fromPipe],
      frames,
    );
    const fromLavfi = join(dir, 'from-lavfi.mp4');
    run(['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10', '-pix_fmt', 'yuv420p', fromLavfi]);
    for (const input of [fromPipe, fromLavfi]) {
      const args = ffmpegFrameArgs({ input, format: 'file', fps: 4, width: 80, height: 60, loop: false });
      const out = execFileSync(bundledFfmpeg(), args);
      expect(out.length, input).toBeGreaterThan(0);
      expect(out.length % rgbBytes(80, 60), input).toBe(0);
    }
  });

  it('decodes every image format the image-folder camera reads', async () => {
    const dir = tempDir('attune-ffmpeg-images-');
    for (const ext of ['png', 'jpg', 'bmp', 'ppm', 'pgm', 'webp', 'tiff']) {
      const path = join(dir, `frame.${ext}`);
      run(['-f', 'lavfi', '-i', 'testsrc=size=200x100:rate=1', '-frames:v', '1', path]);
      const rgb = await decodeImage(path, { width: 96, height: 96, ffmpegPath: bundledFfmpeg() });
      expect(rgb.length, ext).toBe(rgbBytes(96, 96));
    }
  });
});
