/**
 * How Attune's commands (`attune-server`, `attune`, `attune-agent`) load their code. In a development
 * install (tsx present: `npm install` with dev dependencies) they run the TypeScript sources through
 * tsx, so a test or a developer always runs what is on disk. In a production install (`npm ci
 * --omit=dev`: no tsx) they run the JavaScript that `npm run build` wrote to each package's dist/,
 * with the `attune-dist` export condition, which points every `@attune/*` import at dist/ too.
 * See docs/deploy.md, "How the production build is wired".
 */
import { register } from 'node:module';

/** The export condition under which the workspace packages resolve to their built dist/ files. */
export const DIST_CONDITION = 'attune-dist';

const DIST_HOOK = `export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, ${JSON.stringify(DIST_CONDITION)}] });
}`;

/** True in a development install: tsx (a dev dependency) is installed. */
export function hasTsx() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

/**
 * Imports the entry module: `source` (a .ts file, through tsx) in a development install, else `dist`
 * (its built .js). Both are resolved against `base` (the caller's import.meta.url).
 */
export async function importEntry(base, source, dist) {
  if (hasTsx()) {
    const { register: registerTsx } = await import('tsx/esm/api');
    registerTsx();
    return import(new URL(source, base).href);
  }
  register(`data:text/javascript,${encodeURIComponent(DIST_HOOK)}`);
  return import(new URL(dist, base).href);
}

/** Runs a command's `main(argv)` and sets the exit code, printing a failure as `name: message`. */
export async function runMain(name, base, source, dist) {
  try {
    const { main } = await importEntry(base, source, dist);
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
