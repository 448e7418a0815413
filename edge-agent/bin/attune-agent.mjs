#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step in this repository).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`attune-agent: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
