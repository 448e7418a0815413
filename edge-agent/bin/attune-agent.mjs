#!/usr/bin/env node
// `attune-agent`: the bedside agent's command line (src/cli.ts), from the sources in a development
// install or from dist/ in a production one (see scripts/entry.mjs).
import { runMain } from '../../scripts/entry.mjs';

await runMain('attune-agent', import.meta.url, '../src/cli.ts', '../dist/cli.js');
