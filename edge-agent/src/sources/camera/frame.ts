/**
 * Camera frames as the face pipeline receives them: packed RGB24 in memory. A frame is never
 * written to disk, logged or published; it is dropped as soon as the pipeline has measured it.
 */
import type { SourceState } from '../source-state.ts';

export interface RgbFrame {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major, R G B. */
  data: Uint8Array;
  /** Agent wall-clock time the frame arrived, unix ms. */
  tMs: number;
}

export interface CameraSource {
  readonly description: string;
  /** Starts delivering frames. Opened only by the consent gate. */
  open(onFrame: (frame: RgbFrame) => void): void;
  /** Stops delivery at once; resolves when any child process has exited. Idempotent. */
  close(): Promise<void>;
  state(): SourceState;
  /** The last error (device missing, stream ended, ffmpeg exit), in words, or null. */
  lastError(): string | null;
  /** The child process id while one runs (tests and the doctor). */
  pid(): number | null;
}

/** Opens the source, waits for one frame, closes it: the doctor's camera check. */
export async function grabOneFrame(source: CameraSource, timeoutMs = 10_000): Promise<RgbFrame> {
  try {
    return await new Promise<RgbFrame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(source.lastError() ?? `no frame within ${timeoutMs} ms`)), timeoutMs);
      const poll = setInterval(() => {
        if (source.state() === 'error') {
          clearTimeout(timer);
          clearInterval(poll);
          reject(new Error(source.lastError() ?? 'camera failed'));
        }
      }, 50);
      source.open((frame) => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(frame);
      });
    });
  } finally {
    await source.close();
  }
}
