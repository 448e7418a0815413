/**
 * What both camera sources (a streaming ffmpeg, and ffmpeg decoding an image folder one file at a
 * time) keep and report alike: their state, their last error in words, and the pid of the ffmpeg
 * child running for them, if any. `session` is bumped by every open and close, so a callback of an
 * earlier session knows it is stale.
 */
import type { ChildProcess } from 'node:child_process';
import type { SourceState } from '../source-state.ts';

export abstract class CameraProcess<Child extends ChildProcess = ChildProcess> {
  protected current: SourceState = 'stopped';
  protected error: string | null = null;
  protected child: Child | null = null;
  protected session = 0;

  state(): SourceState {
    return this.current;
  }

  lastError(): string | null {
    return this.error;
  }

  pid(): number | null {
    return this.child?.pid ?? null;
  }
}
