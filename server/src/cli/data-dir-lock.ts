/**
 * One process at a time on an embedded PGlite database. PGlite has no server and no lock of its
 * own: two processes opening the same folder both write to it and corrupt it. The server and the
 * `attune admin` command each take this lock file (`<ATTUNE_DATA_DIR>/pglite.lock`, beside the
 * database folder) before opening the database and remove it when they close it. A lock left by a
 * process that no longer runs (a crash, `kill -9`) is taken over.
 * With PostgreSQL (DATABASE_URL) there is no lock: PostgreSQL serves any number of processes.
 */
import { readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ConfigError } from '../platform/config.ts';

interface LockContent {
  pid: number;
  hostname: string;
  /** 'server' or 'attune admin' */
  holder: string;
  since: string;
}

/** Another live process holds the database (a ConfigError so the server exits with code 2 and this message). */
export class DataDirBusyError extends ConfigError {
  constructor(
    message: string,
    readonly holder: LockContent,
  ) {
    super(message);
  }
}

export interface DataDirLock {
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another OS user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockContent | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch {
    return null;
  }
}

/**
 * Takes the lock or throws DataDirBusyError naming the process that holds it. The same process
 * taking it again (a server stopped and started in one process) is allowed.
 */
export function acquireDataDirLock(path: string, holder: string, databaseDir: string): DataDirLock {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const mine: LockContent = { pid: process.pid, hostname: hostname(), holder, since: new Date().toISOString() };
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      return {
        release: () => {
          if (readLock(path)?.pid === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const other = readLock(path);
    // A pid that is not a positive integer is no process (and `kill(0 or -1, 0)` would address a whole group).
    const validPid = other !== null && Number.isInteger(other.pid) && other.pid > 0;
    const stale = !validPid || other.pid === process.pid || (other.hostname === hostname() && !isRunning(other.pid));
    if (!stale) {
      throw new DataDirBusyError(
        `The database at ${databaseDir} is open in another process: ${other.holder} (pid ${other.pid} on ${other.hostname}, since ${other.since}).\n` +
          `The embedded database (PGlite) allows one process at a time. Stop that process first, then try again.\n` +
          `If no Attune process runs any more, delete the lock file ${path}.`,
        other,
      );
    }
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`Could not take the lock ${path}: another process keeps taking it`);
}
