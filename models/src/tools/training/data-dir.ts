/**
 * Where the Stress-Predict-layout data lives: `--data <dir>` or ATTUNE_STRESS_PREDICT_DIR. The data
 * is not part of the project; a missing folder is reported with what to set, never guessed around.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DATA_ENV = 'ATTUNE_STRESS_PREDICT_DIR';

export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** Parses `--name value` / `--name=value` options; everything else is ignored. */
export function argOption(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** Resolves the data folder from `--data` or the environment and checks its layout (raw/ and labels.csv). */
export function resolveDataDir(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  command = 'models:train',
): string {
  const given = argOption(argv, 'data') ?? env[DATA_ENV];
  if (!given) {
    throw new DataDirError(
      `no data folder: pass --data <dir> (e.g. npm run ${command} -- --data ../shared/data/stress-predict) or set ${DATA_ENV}. ` +
        'The folder must hold raw/SXX/*.csv and labels.csv (Stress-Predict layout).',
    );
  }
  const dir = resolve(cwd, given);
  if (!existsSync(dir)) throw new DataDirError(`data folder ${dir} does not exist (from ${argOption(argv, 'data') ? '--data' : DATA_ENV})`);
  for (const need of ['raw', 'labels.csv']) {
    if (!existsSync(join(dir, need))) throw new DataDirError(`data folder ${dir} has no ${need}: expected raw/SXX/*.csv and labels.csv`);
  }
  return dir;
}

/**
 * The data folder for a command-line tool (`command` names it, e.g. 'models:eval'), or null when
 * there is none: the reason is then printed to stderr as `<command>: <reason>` and the tool exits
 * with code 2.
 */
export function dataDirForCommand(argv: readonly string[], command: string): string | null {
  try {
    return resolveDataDir(argv, process.env, process.cwd(), command);
  } catch (err) {
    if (err instanceof DataDirError) {
      console.error(`${command}: ${err.message}`);
      return null;
    }
    throw err;
  }
}
