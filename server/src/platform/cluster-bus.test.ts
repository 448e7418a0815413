/** The cluster bus on a real PostgreSQL: two instances' buses on one database (skipped loudly without DATABASE_URL). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '@attune/db';
import { createScratchDatabaseUrl, dropScratchDatabase } from '@attune/db/testing';
import { startClusterBus, type ClusterBus, type LiveEventDraft } from './cluster-bus.ts';
import { createLogger } from './logger.ts';

const { DATABASE_URL } = process.env;
if (!DATABASE_URL) console.warn('SKIPPED: cluster bus tests need PostgreSQL (set DATABASE_URL; CI does).');

describe.skipIf(!DATABASE_URL)('cluster bus over PostgreSQL LISTEN/NOTIFY', () => {
  let url: string;
  const dbs: Database[] = [];
  const buses: ClusterBus[] = [];

  beforeAll(async () => {
    url = await createScratchDatabaseUrl(DATABASE_URL!);
    for (const id of ['one', 'two']) {
      const db = await createDatabase({ url, maxConnections: 2 });
      if (id === 'one') await db.migrate();
      dbs.push(db);
      buses.push(await startClusterBus(db, id, createLogger('error')));
    }
  });

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    for (const db of dbs) await db.close();
    await dropScratchDatabase(DATABASE_URL!, url);
  });

  it('numbers live events once and delivers them to every instance in the same order, large ones by reference', async () => {
    const seen: (LiveEventDraft & { id: number })[][] = [[], []];
    buses.forEach((bus, i) => bus.onLive((e) => seen[i]!.push(e)));
    const big = 'x'.repeat(20_000);
    buses[0]!.sendLive({ type: 'reset', wardId: 'w1', data: {} });
    buses[1]!.sendLive({ type: 'reset', wardId: 'w2', data: { note: big } as never });
    buses[0]!.sendLive({ type: 'reset', wardId: 'w3', data: {} });
    await expect.poll(() => seen.map((s) => s.length), { timeout: 5000 }).toEqual([3, 3]);
    expect(seen[0]!.map((e) => e.id)).toEqual(seen[1]!.map((e) => e.id));
    expect(new Set(seen[0]!.map((e) => e.id)).size).toBe(3);
    const large = seen[1]!.find((e) => e.wardId === 'w2')!;
    expect((large.data as unknown as { note: string }).note).toHaveLength(20_000);
  });

  it('delivers a burst of live events from two instances in the order each sent them, a large one among them by reference, as one sequence everywhere', async () => {
    const seen: number[][] = [[], []];
    const ids: number[][] = [[], []];
    buses.forEach((bus, i) =>
      bus.onLive((e) => {
        if (e.wardId !== 'burst') return;
        seen[i]!.push((e.data as unknown as { n: number }).n);
        ids[i]!.push(e.id);
      }),
    );
    const sent = Array.from({ length: 300 }, (_, n) => n);
    for (const n of sent) {
      const data = n === 150 ? { n, note: 'y'.repeat(20_000) } : { n };
      buses[n % 2 === 0 ? 0 : 1]!.sendLive({ type: 'reset', wardId: 'burst', data: data as never });
    }
    await expect.poll(() => seen.map((s) => s.length), { timeout: 10_000 }).toEqual([300, 300]);
    // Each instance's own events arrive in the order it sent them; both instances see one sequence.
    for (const parity of [0, 1]) expect(seen[0]!.filter((n) => n % 2 === parity)).toEqual(sent.filter((n) => n % 2 === parity));
    expect(seen[1]).toEqual(seen[0]);
    expect(ids[1]).toEqual(ids[0]);
    expect(new Set(ids[0]).size).toBe(300);
  });

  it('sends coordination messages to every instance, saying which sent them', async () => {
    const got: string[] = [];
    buses.forEach((bus, i) => bus.on('stay_forgotten', (m, from) => got.push(`${i}:${m.stayId}:${from}`)));
    buses[1]!.send({ type: 'stay_forgotten', stayId: 's1' });
    await expect.poll(() => got.sort(), { timeout: 5000 }).toEqual(['0:s1:two', '1:s1:two']);
    expect(buses.every((b) => b.isHealthy() && b.problem() === null)).toBe(true);
  });

  it('says so when it cannot hear itself any more (its database is gone), instead of going quiet', async () => {
    const db = await createDatabase({ url, maxConnections: 1 });
    const logged: { level: string; msg: string }[] = [];
    const bus = await startClusterBus(
      db,
      'three',
      createLogger('error', {}, (line) => logged.push(JSON.parse(line))),
    );
    expect(bus.isHealthy()).toBe(true);
    await db.close();
    await expect.poll(() => bus.problem(), { timeout: 12_000, interval: 500 }).toMatch(/instances cannot hear each other/);
    expect(bus.isHealthy()).toBe(false);
    expect(logged.some((l) => l.level === 'error' && /cluster bus down/.test(l.msg))).toBe(true);
    // Pings keep failing every 2 s; the outage is said once (then once a minute), not once per ping.
    const linesWhenDown = logged.length;
    await new Promise((resolve) => setTimeout(resolve, 6500));
    expect(logged.slice(linesWhenDown)).toEqual([]);
    await bus.close();
  }, 30_000);
});
