/**
 * The files `attune-agent enroll` writes: the agent config, the broker password and the broker's
 * CA, each atomically (a temporary file in the same folder, fsync, rename), mode 0600, in a
 * folder of mode 0700. A crash halfway leaves the old file or the new one, never half of one.
 */
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export const SECRET_FILE_MODE = 0o600;
export const CONFIG_DIR_MODE = 0o700;

/** Throws, naming the folder, when files cannot be created in `dir` (checked before a token is spent). */
export function assertWritableFolder(dir: string): void {
  let existing = dir;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new Error(`cannot write to ${existing}: run enroll as the user that owns it (e.g. with sudo), or choose another --config`);
  }
}

/** Creates the folder with mode 0700 (and tightens an existing one). */
export function prepareFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: CONFIG_DIR_MODE });
  chmodSync(dir, CONFIG_DIR_MODE);
}

export function writeFileAtomic(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', SECRET_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, SECRET_FILE_MODE);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
