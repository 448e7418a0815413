import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { MIGRATIONS_DIR, type Database } from '@attune/db';

/**
 * Migrates `db` up to just before the migration whose tag starts with `tagPrefix`, from a copy of
 * the folder whose journal stops there: a database as it was before that migration, for testing the
 * migration on rows written the old way.
 */
export async function migrateBefore(db: Database, tagPrefix: string): Promise<void> {
  const before = mkdtempSync(join(tmpdir(), 'attune-migrations-'));
  try {
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    const journalPath = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    const stop = journal.entries.findIndex((e) => e.tag.startsWith(tagPrefix));
    if (stop < 0) throw new Error(`no migration ${tagPrefix}`);
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, stop) }));
    await (db.kind === 'pglite'
      ? migratePglite(db.orm as never, { migrationsFolder: before })
      : migratePostgres(db.orm as never, { migrationsFolder: before }));
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}
