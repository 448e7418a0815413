/**
 * The server's rooms and which way imports may run (docs/architecture.md, "Layering rules"):
 * a file imports only from its own layer or lower ones. Read from the source text, so a new
 * upward import fails here instead of waiting for a reviewer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Lower layers first. Folders of one layer may import each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['domain'], // pure rules, vocabulary, the domain error
  ['platform', 'security', 'consent-texts'], // config, logging, metrics, event bus, jobs; password hashing; consent wording
  ['repositories'], // all SQL
  ['mappers'], // rows and domain values to API shapes
  ['services'], // application services: actions, audit, reads
  ['broker', 'ingest', 'http', 'routes', 'cluster'], // edges: MQTT and HTTP, and the coordination of several instances
  ['demo', 'cli', 'startup', '.'], // composition: wiring, the demo ward, the admin command
];

const layerOf = (file: string): number => {
  const top = relative(SRC, file).split('/');
  const room = top.length === 1 ? '.' : top[0]!;
  const index = LAYERS.findIndex((rooms) => rooms.includes(room));
  if (index < 0) throw new Error(`${relative(SRC, file)} is in a folder the layering rules do not name: add it to LAYERS`);
  return index;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

describe('server layering', () => {
  const files = sourceFiles(SRC);

  it('knows the layer of every source folder', () => {
    expect(() => files.forEach(layerOf)).not.toThrow();
  });

  it('has no import that runs from a lower layer up to a higher one', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = resolve(dirname(file), match[1] ?? match[2]!);
        if (!target.startsWith(SRC + '/')) {
          upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)} (outside the server: import the package)`);
          continue;
        }
        if (layerOf(target) > layerOf(file)) upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
