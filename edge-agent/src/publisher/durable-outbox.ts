/**
 * Durable outbox: every score window is written to disk (and fsynced) before it is published, and
 * removed only when the broker acknowledged it (PUBACK). One file per message, named by its
 * zero-padded seq, so the order on disk is the publish order and a crash can at worst leave a
 * message that is published twice (the server de-duplicates by deviceId + seq), never one lost.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SEQ_DIGITS = 16;
const FILE_RE = /^(\d{16})\.json$/;

export interface OutboxLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Writes a file atomically and durably: temp file, fsync, rename, fsync the folder. */
export function writeFileDurable(dir: string, name: string, bytes: Uint8Array): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class DurableOutbox {
  private readonly seqs: number[];
  private dropped = 0;

  private constructor(
    private readonly dir: string,
    private readonly maxMessages: number,
    private readonly log: OutboxLogger,
  ) {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir);
    for (const name of names) if (name.endsWith('.tmp')) unlinkSync(join(dir, name)); // half-written before a crash
    this.seqs = names
      .map((n) => FILE_RE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  static open(dir: string, options: { maxMessages: number; log: OutboxLogger }): DurableOutbox {
    return new DurableOutbox(dir, options.maxMessages, options.log);
  }

  private fileOf(seq: number): string {
    return join(this.dir, `${String(seq).padStart(SEQ_DIGITS, '0')}.json`);
  }

  /** Appends a message durably; returns only after it is on disk. */
  append(seq: number, payload: Uint8Array): void {
    const last = this.seqs.at(-1);
    if (last !== undefined && seq <= last) throw new Error(`outbox seq must increase: ${seq} after ${last}`);
    writeFileDurable(this.dir, `${String(seq).padStart(SEQ_DIGITS, '0')}.json`, payload);
    this.seqs.push(seq);
    while (this.seqs.length > this.maxMessages) {
      const oldest = this.seqs.shift()!;
      this.unlinkQuietly(oldest);
      this.dropped += 1;
      this.log.warn('outbox full: dropped the oldest unsent window', {
        seq: oldest,
        droppedTotal: this.dropped,
        maxMessages: this.maxMessages,
      });
    }
  }

  /** Pending seqs in publish order. */
  pending(): readonly number[] {
    return this.seqs;
  }

  has(seq: number): boolean {
    return this.seqs.includes(seq);
  }

  read(seq: number): Buffer {
    return readFileSync(this.fileOf(seq));
  }

  /** Called on PUBACK. */
  remove(seq: number): void {
    const i = this.seqs[0] === seq ? 0 : this.seqs.indexOf(seq);
    if (i < 0) return;
    this.seqs.splice(i, 1);
    this.unlinkQuietly(seq);
  }

  size(): number {
    return this.seqs.length;
  }

  highestSeq(): number | null {
    return this.seqs.at(-1) ?? null;
  }

  droppedCount(): number {
    return this.dropped;
  }

  private unlinkQuietly(seq: number) {
    try {
      unlinkSync(this.fileOf(seq));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
