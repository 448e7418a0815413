import { join } from 'node:path';
import { createDatabase, type Database } from '@attune/db';
import { acquireDataDirLock } from '../cli/data-dir-lock.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { StopStack } from './stop-stack.ts';

/** Opens and migrates the database. An embedded one is locked against a second process (e.g. `attune admin`). */
export async function openDatabase(config: Config, stops: StopStack, logger: Logger): Promise<Database> {
  if (!config.DATABASE_URL) {
    const lock = acquireDataDirLock(join(config.dataDir, 'pglite.lock'), 'the Attune server', join(config.dataDir, 'pglite'));
    stops.push(async () => lock.release());
  }
  const db = await createDatabase({ url: config.DATABASE_URL, pgliteDir: join(config.dataDir, 'pglite') });
  stops.push(() => db.close());
  await db.migrate();
  logger.info('database ready', { kind: db.kind });
  return db;
}
