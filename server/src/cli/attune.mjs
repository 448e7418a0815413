#!/usr/bin/env node
// Kept for existing scripts: the `attune` command is server/bin/attune.mjs.
import '../../bin/attune.mjs';
