/**
 * Frames from the consented camera into the face pipeline, one at a time: a frame that arrives
 * while the last is still being analysed is dropped and counted, so the agent keeps up with the
 * camera rather than queueing frames in memory. Only the per-frame numbers of the current window
 * are kept (never pixels), and only those measured under the consent still in force.
 */
import type { AgentLogger } from '../../log.ts';
import type { RgbFrame } from './frame.ts';

export interface FrameAdmissionOptions<T> {
  analyse: (frame: RgbFrame) => Promise<T>;
  /** Clears motion history when the camera closes, so the next opening does not compare against stale frames. */
  forgetMotion: () => void;
  log: AgentLogger;
}

export class FrameAdmission<T> {
  private analysing = false;
  private analysed = 0;
  private dropped = 0;
  private measurements: T[] = [];

  constructor(private readonly o: FrameAdmissionOptions<T>) {}

  /** `stillConsented` is asked when the analysis ends: a measurement made under a withdrawn or changed consent is not kept. */
  admit(frame: RgbFrame, stillConsented: () => boolean): void {
    if (this.analysing) {
      this.dropped += 1;
      return;
    }
    this.analysing = true;
    this.o
      .analyse(frame)
      .then((measurement) => {
        if (stillConsented()) {
          this.measurements.push(measurement);
          this.analysed += 1;
        }
      })
      .catch((err: unknown) => this.o.log.error('face analysis failed', { error: (err as Error).message }))
      .finally(() => (this.analysing = false));
  }

  /** The current window's measurements; the next window starts empty. */
  takeWindow(): T[] {
    const taken = this.measurements;
    this.measurements = [];
    return taken;
  }

  /** Starts the current window afresh (a consent change, or shutting down). */
  discard(): void {
    this.measurements = [];
  }

  holdsMeasurements(): boolean {
    return this.measurements.length > 0;
  }

  forget(): void {
    this.measurements = [];
    this.o.forgetMotion();
  }

  framesAnalysed(): number {
    return this.analysed;
  }

  framesDropped(): number {
    return this.dropped;
  }

  /** Resolves once no frame is being analysed. */
  async idle(): Promise<void> {
    while (this.analysing) await new Promise((r) => setTimeout(r, 10));
  }
}
