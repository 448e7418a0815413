#!/usr/bin/env node
// `attune`: the server machine's command line (see server/src/cli/admin.ts). Runs the TypeScript
// through tsx (no build step in this repository), like the agent's `attune-agent`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./admin.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`attune: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
