#!/usr/bin/env node
// `attune`: the server machine's command line (src/cli/admin.ts), from the sources in a development
// install or from dist/ in a production one (see scripts/entry.mjs). Run it with the server's
// environment (the same DATABASE_URL, or the same ATTUNE_DATA_DIR for the embedded database).
import { runMain } from '../../scripts/entry.mjs';

await runMain('attune', import.meta.url, '../src/cli/admin.ts', '../dist/cli/admin.js');
