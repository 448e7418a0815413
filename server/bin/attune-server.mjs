#!/usr/bin/env node
// `attune-server`: starts the Attune server (src/main.ts) from the sources in a development install
// or from dist/ in a production one (see scripts/entry.mjs). Configuration comes from the environment.
import { importEntry } from '../../scripts/entry.mjs';

await importEntry(import.meta.url, '../src/main.ts', '../dist/main.js');
