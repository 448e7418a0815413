import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORDINGS_DIR } from '../../recordings/generate-recordings.ts';
import { recordedE4, RecordedSamples } from '@attune/models';
import { RealtimePlayer } from './realtime-player.ts';
import { type WearableSample } from '@attune/models';

describe('RealtimePlayer', () => {
  it('replays in real time with timestamps remapped to now, loops, and emits nothing after close()', async () => {
    const recording = new RecordedSamples(
      Array.from({ length: 10 }, (_, i) => ({ kind: 'hr' as const, offsetS: i * 0.03, hrBpm: 60 + i })),
      0.3,
    );
    const player = new RealtimePlayer(recording, { description: 'test', loop: true, tickMs: 10 });
    const got: WearableSample[] = [];
    const openedAt = Date.now();
    player.open((s) => got.push(...s));
    expect(player.state()).toBe('streaming');
    await new Promise((r) => setTimeout(r, 750));
    player.close();
    const countAtClose = got.length;
    expect(countAtClose).toBeGreaterThanOrEqual(20); // 2+ passes of 10 samples
    expect(countAtClose).toBeLessThanOrEqual(27);
    for (let i = 1; i < got.length; i++) expect(got[i]!.tMs).toBeGreaterThan(got[i - 1]!.tMs);
    expect(got[0]!.tMs).toBeGreaterThanOrEqual(openedAt);
    expect(got.at(-1)!.tMs).toBeLessThanOrEqual(Date.now());
    expect(got[10]!.kind === 'hr' && got[10]!.hrBpm).toBe(60); // second pass starts over
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(countAtClose);
    expect(player.state()).toBe('stopped');
  });

  it('knows the length of a bundled 10-minute recording', () => {
    expect(recordedE4(join(RECORDINGS_DIR, 'bed-01')).durationS).toBeCloseTo(600, 6);
  });
});
