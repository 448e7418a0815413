/**
 * `npm run -w @attune/edge-agent recordings`: regenerates the bundled demo recordings
 * (edge-agent/recordings/bed-01 .. bed-08) in Empatica E4 CSV layout from the deterministic
 * simulator. Beds 02 and 05 carry a distress episode from 70 s for 4 minutes; the others are calm.
 * Running it twice gives identical files.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DistressEpisode } from '../config.ts';
import { E4_ACC_UNITS_PER_G } from '@attune/models';
import { WearableSimulator } from '../sources/wearable/simulator.ts';

export const RECORDINGS_DIR = fileURLToPath(new URL('../../recordings/', import.meta.url));
export const RECORDING_LENGTH_S = 600;
/** Fixed start time so the files are byte-identical on every run (2025-11-24T16:00:00Z). */
const RECORDING_START_UNIX_S = 1764000000;
export const DISTRESS_BEDS: Record<string, DistressEpisode[]> = {
  'bed-02': [{ startS: 70, durationS: 240, intensity: 1 }],
  'bed-05': [{ startS: 70, durationS: 240, intensity: 1 }],
};

export function demoBedSeed(bedIndex: number): number {
  return 1000 + bedIndex;
}

/** Renders one simulated recording as E4 CSV file contents. */
export function renderE4Recording(seed: number, episodes: DistressEpisode[], lengthS: number): Record<string, string> {
  const sim = new WearableSimulator({ seed, episodes, durationS: lengthS });
  // Stop just before lengthS so the last E4 row belongs to this recording, not the next loop.
  const samples = sim.samplesBetween(-1, lengthS - 1e-6);
  const header = (hz: number, cols = 1) =>
    `${Array(cols).fill(RECORDING_START_UNIX_S.toFixed(6)).join(', ')}\n${Array(cols).fill(hz.toFixed(6)).join(', ')}\n`;
  const hr: string[] = [];
  const ibi: string[] = [];
  const eda: string[] = [];
  const temp: string[] = [];
  const acc: string[] = [];
  const g = (x: number) => Math.max(-128, Math.min(127, Math.round(x * E4_ACC_UNITS_PER_G)));
  for (const s of samples) {
    switch (s.kind) {
      case 'hr':
        hr.push(s.hrBpm.toFixed(2));
        break;
      case 'ibi':
        ibi.push(`${s.offsetS.toFixed(6)},${s.ibiS.toFixed(6)}`);
        break;
      case 'eda':
        eda.push(s.edaUs.toFixed(6));
        break;
      case 'temp':
        temp.push(s.tempC.toFixed(2));
        break;
      case 'acc':
        acc.push(`${g(s.xG)},${g(s.yG)},${g(s.zG)}`);
        break;
    }
  }
  return {
    'HR.csv': header(1) + hr.join('\n') + '\n',
    'IBI.csv': `${RECORDING_START_UNIX_S.toFixed(6)}, IBI\n` + ibi.join('\n') + '\n',
    'EDA.csv': header(4) + eda.join('\n') + '\n',
    'TEMP.csv': header(4) + temp.join('\n') + '\n',
    'ACC.csv': header(32, 3) + acc.join('\n') + '\n',
  };
}

export function generateRecordings(outDir: string = RECORDINGS_DIR): string[] {
  const written: string[] = [];
  for (let i = 1; i <= 8; i++) {
    const bed = `bed-${String(i).padStart(2, '0')}`;
    const dir = join(outDir, bed);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = renderE4Recording(demoBedSeed(i), DISTRESS_BEDS[bed] ?? [], RECORDING_LENGTH_S);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(
      join(dir, 'README.md'),
      `# ${bed} demo recording\n\nSimulated (not a real patient), Empatica E4 CSV layout, ${RECORDING_LENGTH_S / 60} minutes, seed ${demoBedSeed(i)}.\n` +
        (DISTRESS_BEDS[bed]
          ? `Distress episode: ${JSON.stringify(DISTRESS_BEDS[bed])}.\n`
          : 'Calm throughout (normal variation, occasional repositioning).\n') +
        'Regenerate with `npm run -w @attune/edge-agent recordings`.\n',
    );
    written.push(dir);
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const dir of generateRecordings()) console.log(`wrote ${dir}`);
}
