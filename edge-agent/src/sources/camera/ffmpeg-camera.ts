/**
 * Camera frames from an ffmpeg child process: a V4L2 device, an RTSP stream or a video file,
 * decoded, rate-limited and scaled by ffmpeg, read as raw RGB24 from its stdout pipe. Nothing
 * touches the disk. close() ends the process (SIGTERM, then SIGKILL after 2 s) and resolves only
 * when it has exited, so consent withdrawal provably stops the camera.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { AgentLogger } from '../../log.ts';
import { CameraProcess } from './camera-process.ts';
import { ffmpegFrameArgs } from './ffmpeg-args.ts';
import type { CameraSource, RgbFrame } from './frame.ts';

export interface FfmpegCameraOptions {
  input: string;
  format: 'v4l2' | 'rtsp' | 'file';
  fps: number;
  width: number;
  height: number;
  loop: boolean;
  /** The ffmpeg binary to spawn (createCameraSource resolves it with findFfmpeg). */
  ffmpegPath: string;
  /** Wait before restarting a live source (v4l2, rtsp) that dropped. */
  restartMs?: number;
  log?: AgentLogger;
}

const KILL_AFTER_MS = 2000;

export class FfmpegCamera extends CameraProcess<ChildProcessByStdio<null, Readable, Readable>> implements CameraSource {
  readonly description: string;
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: FfmpegCameraOptions) {
    super();
    // An RTSP URL may carry credentials: never put them in a description that is logged.
    this.description = `ffmpeg ${o.format} ${o.format === 'rtsp' ? o.input.replace(/\/\/[^@/]*@/, '//***@') : o.input} @ ${o.fps} fps ${o.width}x${o.height}`;
  }

  open(onFrame: (frame: RgbFrame) => void): void {
    if (this.child || this.current === 'streaming') return;
    const session = ++this.session;
    this.current = 'streaming';
    this.error = null;
    this.spawnChild(session, onFrame);
  }

  private spawnChild(session: number, onFrame: (frame: RgbFrame) => void): void {
    const frameBytes = this.o.width * this.o.height * 3;
    const child = spawn(this.o.ffmpegPath, ffmpegFrameArgs(this.o), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let resolveExit!: () => void;
    this.exited = new Promise<void>((r) => (resolveExit = r));
    // One frame being assembled; a new buffer per frame so a consumer may keep it briefly.
    let pending = Buffer.allocUnsafe(frameBytes);
    let filled = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(pending, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          const frame: RgbFrame = { width: this.o.width, height: this.o.height, data: pending, tMs: Date.now() };
          pending = Buffer.allocUnsafe(frameBytes);
          filled = 0;
          if (session === this.session) onFrame(frame);
        }
      }
    });
    let stderrTail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-400);
    });
    child.once('error', (err) => {
      if (session === this.session) {
        this.error = `cannot start ${this.o.ffmpegPath}: ${err.message}`;
        this.current = 'error';
      }
      if (this.child === child) this.child = null;
      resolveExit();
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      resolveExit();
      if (session !== this.session) return; // closed on purpose
      const why = stderrTail.trim().split('\n').pop() || `exit ${code ?? signal}`;
      if (this.o.format === 'file' && !this.o.loop && code === 0) {
        this.current = 'stopped';
        return;
      }
      this.error = `ffmpeg stopped: ${why}`;
      this.current = 'error';
      this.o.log?.warn('camera stopped', { source: this.description, reason: why });
      // Live cameras drop (network, USB reset): try again while still open.
      if (this.o.format !== 'file') {
        this.restartTimer = setTimeout(() => {
          if (session !== this.session) return;
          this.current = 'streaming';
          this.spawnChild(session, onFrame);
        }, this.o.restartMs ?? 5000);
      }
    });
  }

  async close(): Promise<void> {
    this.session += 1;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.current = 'stopped';
    const child = this.child;
    if (!child) return this.exited;
    child.stdout.destroy();
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    await this.exited;
    clearTimeout(killer);
    if (this.child === child) this.child = null;
  }
}
