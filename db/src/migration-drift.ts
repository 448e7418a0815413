/**
 * Schema/migration drift: generates migrations from the drizzle schema into a copy of the
 * committed migrations folder; any new file means the schema changed without a committed
 * migration (run `npm run db:generate` and commit the result).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR } from './client.ts';

const DB_PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export function findMigrationDrift(): string[] {
  // drizzle-kit resolves --out relative to the working folder (an absolute path fails), so the scratch copy lives in the package.
  const scratch = mkdtempSync(join(DB_PACKAGE_DIR, '.drift-'));
  const scratchName = scratch.slice(DB_PACKAGE_DIR.length).replace(/^\/+/, '');
  try {
    cpSync(MIGRATIONS_DIR, scratch, { recursive: true });
    const before = new Set(readdirSync(scratch));
    const output = execFileSync(
      'npx',
      [
        'drizzle-kit',
        'generate',
        '--dialect',
        'postgresql',
        '--schema',
        './src/schema/index.ts',
        '--out',
        `./${scratchName}`,
        '--casing',
        'snake_case',
        '--name',
        'drift',
      ],
      { cwd: DB_PACKAGE_DIR, stdio: 'pipe', encoding: 'utf8' },
    );
    // drizzle-kit exits 0 even when it failed; trust only its two success messages.
    if (!/No schema changes|Your SQL migration file/.test(output)) throw new Error(`drizzle-kit generate did not run cleanly:\n${output}`);
    return readdirSync(scratch).filter((f) => !before.has(f));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const drift = findMigrationDrift();
  if (drift.length > 0) {
    console.error(
      `The drizzle schema has changes without a committed migration (would generate ${drift.join(', ')}). Run \`npm run db:generate\` and commit.`,
    );
    process.exit(1);
  }
  console.log('Migrations match the schema.');
}
