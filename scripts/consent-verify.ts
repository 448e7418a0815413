/**
 * `npm run consent:verify [-- --stay <stayId>]`: walks the consent hash chain of every stay (or
 * one) in the database named by DATABASE_URL, or in the PGlite data folder under ATTUNE_DATA_DIR
 * (stop the server first: PGlite allows one process). Prints one line per broken chain naming
 * the event, and exits 1 if any chain is broken (2 on a usage or configuration error).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase } from '@attune/db';
import { ConfigError, loadConfig, StayRepository, verifyAllChains, verifyStayChain } from '@attune/server';

let stayId: string | undefined;
let config: ReturnType<typeof loadConfig>;
try {
  ({
    values: { stay: stayId },
  } = parseArgs({ options: { stay: { type: 'string' } } }));
  config = loadConfig();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Usage: npm run consent:verify [-- --stay <stayId>] (${String(error)})`);
  process.exit(2);
}

const db = await createDatabase({ url: config.DATABASE_URL, pgliteDir: join(config.dataDir, 'pglite') });
try {
  await db.migrate();
  const stays = new StayRepository(db);
  const verdicts = stayId ? [await verifyStayChain(stays, stayId)] : await verifyAllChains(stays);
  const broken = verdicts.filter((v) => !v.ok);
  for (const v of broken) {
    if (!v.ok) console.log(`BROKEN stay ${v.stayId}: event ${v.brokenEventId}: ${v.problem}`);
  }
  const events = verdicts.reduce((n, v) => n + v.events, 0);
  console.log(
    `${verdicts.length} consent chain(s), ${events} event(s) checked: ${broken.length === 0 ? 'all intact' : `${broken.length} broken`}`,
  );
  process.exitCode = broken.length === 0 ? 0 : 1;
} finally {
  await db.close();
}
