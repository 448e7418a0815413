/**
 * Builds dashboard/build for the browser end-to-end tests when it is missing or older than its
 * sources. Test files run in parallel workers and a build wipes the output folder, so two suites
 * building at once would serve each other half-written files: the build runs under a lock (an
 * atomically created folder) and staleness is checked again once the lock is held.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DASHBOARD = join(ROOT, 'dashboard');
const LOCK = join(tmpdir(), `attune-dashboard-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
/** A lock older than this belongs to a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function isFresh(): boolean {
  const index = join(DASHBOARD, 'build/index.html');
  const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts'].map((p) => join(DASHBOARD, p)).filter(existsSync);
  return existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime));
}

async function withLock<T>(fn: () => T): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // Released meanwhile: try again.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Ensures dashboard/build is current; safe to call from several test files at once. */
export async function ensureDashboardBuilt(): Promise<void> {
  if (isFresh()) return;
  await withLock(() => {
    if (isFresh()) return;
    execFileSync('npm', ['run', '-w', '@attune/dashboard', 'build'], { cwd: ROOT, stdio: 'pipe' });
  });
}
