/**
 * The per-device `seq`, persisted in dataDir so it is never reused across restarts: the next value
 * is written durably before a seq is handed out.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from './durable-outbox.ts';

const STATE_FILE = 'seq.json';

export class SeqStore {
  private constructor(
    private readonly dir: string,
    private nextSeq: number,
  ) {}

  /** `atLeast` lets the outbox raise the floor (its newest pending seq + 1) if the state file was lost. */
  static open(dir: string, atLeast = 0): SeqStore {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, STATE_FILE);
    let stored = 0;
    if (existsSync(path)) {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as { nextSeq?: unknown };
      if (typeof parsed.nextSeq !== 'number' || !Number.isSafeInteger(parsed.nextSeq) || parsed.nextSeq < 0) {
        throw new Error(`${path}: nextSeq is not a non-negative integer; refusing to guess (a reused seq would be dropped as a duplicate)`);
      }
      stored = parsed.nextSeq;
    }
    return new SeqStore(dir, Math.max(stored, atLeast));
  }

  /** Returns the next seq after recording that it has been used. */
  take(): number {
    const seq = this.nextSeq;
    writeFileDurable(this.dir, STATE_FILE, Buffer.from(JSON.stringify({ nextSeq: seq + 1 })));
    this.nextSeq = seq + 1;
    return seq;
  }

  peek(): number {
    return this.nextSeq;
  }
}
