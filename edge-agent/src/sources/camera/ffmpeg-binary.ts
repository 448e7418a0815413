/**
 * Which ffmpeg the agent (and every test or benchmark that makes media) runs. In order:
 * `camera.ffmpegPath` from the agent config when set; else `ffmpeg` on the PATH (the system's own
 * build, which a hospital can keep patched); else the static build shipped inside the npm package
 * @ffmpeg-installer/ffmpeg, so a machine with only Node and npm can run a camera too.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export interface FfmpegBinary {
  path: string;
  /** Where it was found, for the doctor's checklist and error messages. */
  origin: 'config' | 'PATH' | 'bundled';
}

const BUNDLED_PACKAGE = '@ffmpeg-installer/ffmpeg';
const EXECUTABLE = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `ffmpeg` in one of the PATH's folders, or null. */
export function ffmpegOnPath(pathVariable = process.env.PATH ?? ''): string | null {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, EXECUTABLE);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** The binary of @ffmpeg-installer/ffmpeg for this platform; throws with the reason when it is not installed. */
export function bundledFfmpeg(): string {
  let path: string;
  try {
    path = (createRequire(import.meta.url)(BUNDLED_PACKAGE) as { path: string }).path;
  } catch (err) {
    // The package throws a plain string for an unsupported platform or a missing binary.
    throw new Error(err instanceof Error ? err.message : String(err));
  }
  if (!isExecutableFile(path)) throw new Error(`${path} is not an executable file`);
  return path;
}

/**
 * The ffmpeg to run: the configured one as given (its own failure to start is reported by the
 * camera), else the one on the PATH, else the bundled one. Throws, naming both ways to get one,
 * when there is neither.
 */
export function findFfmpeg(
  configured?: string,
  lookups: { onPath: () => string | null; bundled: () => string } = { onPath: () => ffmpegOnPath(), bundled: bundledFfmpeg },
): FfmpegBinary {
  if (configured) return { path: configured, origin: 'config' };
  const onPath = lookups.onPath();
  if (onPath) return { path: onPath, origin: 'PATH' };
  try {
    return { path: lookups.bundled(), origin: 'bundled' };
  } catch (err) {
    throw new Error(
      `no ffmpeg found: none on the PATH, and the bundled one from ${BUNDLED_PACKAGE} is unavailable (${(err as Error).message}). ` +
        `Install ffmpeg on the PATH (e.g. \`apt-get install ffmpeg\`) or run \`npm install\` so ${BUNDLED_PACKAGE} provides one; ` +
        'the agent config can also name one in camera.ffmpegPath.',
    );
  }
}

/** Path of the ffmpeg to spawn; see findFfmpeg. */
export function ffmpegPath(configured?: string): string {
  return findFfmpeg(configured).path;
}

/** Words for logs and the doctor: where the ffmpeg comes from. */
export function describeFfmpeg(binary: FfmpegBinary): string {
  switch (binary.origin) {
    case 'config':
      return `${binary.path} (camera.ffmpegPath)`;
    case 'PATH':
      return `${binary.path} (on the PATH)`;
    case 'bundled':
      return `${binary.path} (bundled, ${BUNDLED_PACKAGE})`;
  }
}
