import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/mqtt-harness.ts';
import { tempDirPerTest } from '../../../test/temp-dirs.ts';
import { isProcessAlive, makeTestImages, makeTestVideo } from '../../../test/test-video.ts';
import { ffmpegFrameArgs } from './ffmpeg-args.ts';
import { ffmpegPath } from './ffmpeg-binary.ts';
import { FfmpegCamera } from './ffmpeg-camera.ts';
import { grabOneFrame, type RgbFrame } from './frame.ts';
import { ImageFolderCamera } from './image-folder-camera.ts';

const tempDir = tempDirPerTest();

describe('ffmpeg arguments', () => {
  it('reads each kind of input and always writes raw RGB to the pipe, never a file', () => {
    const common = { fps: 2, width: 640, height: 480 };
    expect(ffmpegFrameArgs({ ...common, input: '/dev/video0', format: 'v4l2' })).toEqual(
      expect.arrayContaining(['-f', 'v4l2', '-i', '/dev/video0']),
    );
    expect(ffmpegFrameArgs({ ...common, input: 'rtsp://cam/stream', format: 'rtsp' })).toEqual(
      expect.arrayContaining(['-rtsp_transport', 'tcp']),
    );
    const file = ffmpegFrameArgs({ ...common, input: 'a.mp4', format: 'file', loop: true });
    expect(file).toEqual(expect.arrayContaining(['-re', '-stream_loop', '-1']));
    for (const args of [file, ffmpegFrameArgs({ ...common, input: 'x.png', format: 'image' })]) {
      expect(args.slice(-5)).toEqual(['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    }
  });
});

describe('FfmpegCamera (real ffmpeg)', () => {
  it('emits frames of the configured size and rate, and its process is gone after close', async () => {
    const dir = tempDir('attune-cam-');
    const video = makeTestVideo(dir);
    const camera = new FfmpegCamera({
      input: video,
      format: 'file',
      fps: 5,
      width: 160,
      height: 120,
      loop: true,
      ffmpegPath: ffmpegPath(),
    });
    const frames: RgbFrame[] = [];
    camera.open((f) => frames.push(f));
    await waitFor(() => frames.length >= 4, 10_000, '4 frames');
    const pid = camera.pid()!;
    expect(pid).toBeGreaterThan(0);
    expect(frames[0]!.data.length).toBe(160 * 120 * 3);
    // Paced like a live camera: about 5 frames/s, not as fast as it can decode.
    const spanS = (frames[3]!.tMs - frames[0]!.tMs) / 1000;
    expect(spanS).toBeGreaterThan(0.35);
    const t0 = Date.now();
    await camera.close();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isProcessAlive(pid)).toBe(false);
    const n = frames.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(frames.length).toBe(n);
    expect(camera.state()).toBe('stopped');
    expect(readdirSync(dir)).toEqual(['testsrc.mp4']); // nothing written beside the input
  });

  it('reports a missing device or file as an error in words', async () => {
    const camera = new FfmpegCamera({
      input: '/nonexistent/video.mp4',
      format: 'file',
      fps: 2,
      width: 64,
      height: 64,
      loop: false,
      ffmpegPath: ffmpegPath(),
    });
    await expect(grabOneFrame(camera, 5000)).rejects.toThrow(/No such file|ffmpeg stopped/);
    const missing = new FfmpegCamera({
      input: 'x',
      format: 'file',
      fps: 2,
      width: 64,
      height: 64,
      loop: false,
      ffmpegPath: '/nonexistent/ffmpeg',
    });
    await expect(grabOneFrame(missing, 5000)).rejects.toThrow(/cannot start/);
  });
});

describe('ImageFolderCamera', () => {
  it('cycles the folder at the configured rate with letterboxed frames', async () => {
    const dir = tempDir('attune-img-');
    makeTestImages(dir, 2);
    const camera = new ImageFolderCamera({ dir, fps: 10, width: 96, height: 96, ffmpegPath: ffmpegPath() });
    const frames: RgbFrame[] = [];
    camera.open((f) => frames.push(f));
    await waitFor(() => frames.length >= 3, 10_000, '3 frames');
    await camera.close();
    expect(frames[0]!.data.length).toBe(96 * 96 * 3);
    // 200x100 letterboxed into 96x96: the top rows are black padding.
    expect(frames[0]!.data.subarray(0, 96 * 3).every((b) => b === 0)).toBe(true);
  });

  it('an empty folder is an error, not a silent camera', () => {
    const dir = tempDir('attune-img-');
    const camera = new ImageFolderCamera({ dir, fps: 2, width: 64, height: 64, ffmpegPath: ffmpegPath() });
    camera.open(() => {});
    expect(camera.state()).toBe('error');
    expect(camera.lastError()).toMatch(/no images/);
  });
});
