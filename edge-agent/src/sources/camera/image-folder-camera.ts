/**
 * Camera frames from a folder of still images, shown in name order at a fixed rate and cycled
 * (demos, tests, a ward without a camera stream). Each image is decoded by a one-shot ffmpeg
 * into memory, scaled and letterboxed like the live camera; nothing is cached on disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CameraProcess } from './camera-process.ts';
import { ffmpegFrameArgs } from './ffmpeg-args.ts';
import type { CameraSource, RgbFrame } from './frame.ts';

const IMAGE_EXT = /\.(png|jpe?g|bmp|ppm|pgm|webp|tiff?)$/i;

export interface ImageFolderOptions {
  dir: string;
  fps: number;
  width: number;
  height: number;
  /** The ffmpeg binary to spawn (createCameraSource resolves it with findFfmpeg). */
  ffmpegPath: string;
}

export function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => IMAGE_EXT.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** Decodes one image file into a width x height RGB24 buffer (letterboxed). */
export function decodeImage(
  path: string,
  o: Omit<ImageFolderOptions, 'dir' | 'fps'>,
  track?: (c: ChildProcess | null) => void,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.ffmpegPath, ffmpegFrameArgs({ input: path, format: 'image', fps: 1, width: o.width, height: o.height }), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track?.(child);
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-300)));
    child.once('error', reject);
    child.once('close', (code) => {
      track?.(null);
      const data = Buffer.concat(chunks);
      if (code === 0 && data.length === o.width * o.height * 3) resolve(data);
      else reject(new Error(`cannot decode ${path}: ${err.trim().split('\n').pop() || `ffmpeg exit ${code}`}`));
    });
  });
}

export class ImageFolderCamera extends CameraProcess implements CameraSource {
  readonly description: string;
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly o: ImageFolderOptions) {
    super();
    this.description = `image folder ${o.dir} @ ${o.fps} fps ${o.width}x${o.height}`;
  }

  open(onFrame: (frame: RgbFrame) => void): void {
    if (this.current === 'streaming') return;
    let files: string[];
    try {
      files = listImages(this.o.dir);
      if (files.length === 0) throw new Error(`no images in ${this.o.dir}`);
    } catch (err) {
      this.error = (err as Error).message;
      this.current = 'error';
      return;
    }
    const session = ++this.session;
    this.current = 'streaming';
    const periodMs = 1000 / this.o.fps;
    const tick = () => {
      if (session !== this.session) return;
      const started = Date.now();
      const file = files[this.next++ % files.length]!;
      this.busy = decodeImage(file, this.o, (c) => (this.child = c))
        .then((data) => {
          if (session !== this.session) return;
          this.current = 'streaming';
          this.error = null;
          onFrame({ width: this.o.width, height: this.o.height, data, tMs: Date.now() });
        })
        .catch((err: unknown) => {
          if (session !== this.session) return;
          // Reported as an error (status, doctor) until a frame decodes again: no frames arrive meanwhile.
          this.current = 'error';
          this.error = (err as Error).message;
        })
        .finally(() => {
          if (session === this.session) this.timer = setTimeout(tick, Math.max(0, periodMs - (Date.now() - started)));
        });
    };
    tick();
  }

  async close(): Promise<void> {
    this.session += 1;
    this.current = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.child?.kill('SIGKILL');
    await this.busy;
  }
}
