/**
 * The repository's `postinstall`. A development install (`npm install`, dev dependencies present)
 * builds the generated face models (models/src/tools/ensure-face-models.ts, through tsx; it never
 * fails an install). A production install (`npm ci --omit=dev` in a release made by
 * scripts/release.sh) has no tsx: the release carries the models, and this only says when one is
 * missing (the agent's `doctor` checks every model against its sha256).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasTsx } from './entry.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

if (hasTsx()) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'models/src/tools/ensure-face-models.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exitCode = result.status ?? 1;
} else {
  const manifest = JSON.parse(readFileSync(new URL('../models/manifest.json', import.meta.url), 'utf8'));
  const missing = manifest.models.map((m) => m.file).filter((file) => !existsSync(new URL(`../models/${file}`, import.meta.url)));
  if (missing.length > 0) {
    console.warn(
      `@attune/models: ${missing.join(', ')} missing: this production install was not made from a release ` +
        'built by scripts/release.sh (which carries the generated face models).',
    );
  }
}
