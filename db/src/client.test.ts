import { afterAll, describe, expect, it } from 'vitest';
import { migrateBefore } from '../../test/support/migrations.ts';
import { createDatabase, type Database } from './client.ts';
import { patient, ward } from './schema/index.ts';
import { createScratchDatabaseUrl } from './testing.ts';

const targets: { name: string; open: () => Promise<Database> }[] = [
  { name: 'PGlite', open: () => createDatabase({ pgliteDir: 'memory://' }) },
];
if (process.env.DATABASE_URL) {
  targets.push({
    name: 'PostgreSQL',
    open: async () => createDatabase({ url: await createScratchDatabaseUrl(process.env.DATABASE_URL!) }),
  });
} else {
  console.warn('DATABASE_URL is not set: db tests run on embedded PGlite only (CI sets it to cover PostgreSQL too).');
}

describe.each(targets)('migrations and ledger guard on $name', ({ open }) => {
  let db: Database;
  afterAll(async () => db?.close());

  it('applies every migration and creates the tables', async () => {
    db = await open();
    await db.migrate();
    const rows = await db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'alert',
        'alert_event',
        'app_user',
        'audit_log',
        'bed',
        'consent_event',
        'device',
        'patient',
        'score_window',
        'session',
        'stay',
        'ward',
      ]),
    );
  });

  it('refuses UPDATE and DELETE on consent_event', async () => {
    const [w] = await db.query<{ id: string }>(`insert into ward (name) values ('Guard ward') returning id`);
    const [b] = await db.query<{ id: string }>(`insert into bed (ward_id, label, position) values ($1, 'Bed 1', 1) returning id`, [w!.id]);
    const [p] = await db.query<{ id: string }>(`insert into patient (display_name) values ('A. Patient') returning id`);
    const [s] = await db.query<{ id: string }>(`insert into stay (patient_id, bed_id) values ($1, $2) returning id`, [p!.id, b!.id]);
    await db.query(
      `insert into consent_event (stay_id, effective_at, camera, wearable, actor_kind, prev_hash, hash) values ($1, now(), false, true, 'patient', 'genesis', 'h1')`,
      [s!.id],
    );
    await expect(db.query(`update consent_event set camera = true`)).rejects.toThrow(/append-only/);
    await expect(db.query(`delete from consent_event`)).rejects.toThrow(/append-only/);
    const [row] = await db.query<{ camera: boolean }>(`select camera from consent_event`);
    expect(row!.camera).toBe(false);
  });

  it('keeps one active stay per bed', async () => {
    const [b] = await db.query<{ id: string }>(`select id from bed limit 1`);
    const [p] = await db.query<{ id: string }>(`insert into patient (display_name) values ('B. Patient') returning id`);
    await expect(db.query(`insert into stay (patient_id, bed_id) values ($1, $2)`, [p!.id, b!.id])).rejects.toThrow();
  });

  it("gives the orm's callers the driver's error: its SQLSTATE, and no parameters in the message", async () => {
    const error = await db.orm
      .insert(ward)
      .values({ name: 'Guard ward' })
      .then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      );
    expect(error?.code).toBe('23505');
    expect(error?.message).not.toContain('Guard ward');
  });

  it('reads timestamps through the orm as Dates', async () => {
    const [row] = await db.orm.select({ createdAt: patient.createdAt }).from(patient).limit(1);
    expect(row!.createdAt).toBeInstanceOf(Date);
  });
});

describe.each(targets)('raw query values on $name', ({ open }) => {
  it('returns timestamps as Dates and binds arrays', async () => {
    const db = await open();
    try {
      const [row] = await db.query<{ at: Date; n: number }>(`select now() as at, cardinality($1::text[]) as n`, [['a', 'b', 'c']]);
      expect(row!.at).toBeInstanceOf(Date);
      expect(row!.n).toBe(3);
    } finally {
      await db.close();
    }
  });
});

describe('array literals', () => {
  it('quotes and escapes every element', async () => {
    const { toArrayLiteral } = await import('./client.ts');
    expect(toArrayLiteral(['a', 'b"c', 'd\\e', null])).toBe('{"a","b\\"c","d\\\\e",NULL}');
  });
});

describe.each(targets)('migrations of stored data on $name', ({ open }) => {
  it('turns stored v1 text drivers and PAINAD face bases into codes, keeping every measured value', async () => {
    const db = await open();
    try {
      await migrateBefore(db, '0003_');
      const [w] = await db.query<{ id: string }>(`insert into ward (name) values ('V1 ward') returning id`);
      const [b] = await db.query<{ id: string }>(`insert into bed (ward_id, label, position) values ($1, 'Bed 1', 1) returning id`, [
        w!.id,
      ]);
      const [p] = await db.query<{ id: string }>(`insert into patient (display_name) values ('C. Patient') returning id`);
      const [s] = await db.query<{ id: string }>(`insert into stay (patient_id, bed_id) values ($1, $2) returning id`, [p!.id, b!.id]);
      const face = (basis: string) => JSON.stringify({ pspi: 5.5, painadFace: 2, painadFaceBasis: basis });
      const insert = (seq: number, drivers: unknown, faceJson: string | null) =>
        db.query(
          `insert into score_window (device_id, seq, stay_id, window_start, window_end, distress, confidence, drivers, face, quality, models)
           values ('bed-01-agent', $1, $2, now() - interval '5 s', now(), 0.8, 0.9, $3::jsonb, $4::jsonb, '{}'::jsonb, '{}'::jsonb)`,
          [seq, s!.id, JSON.stringify(drivers), faceJson],
        );
      await insert(
        1,
        ['heart rate 24 bpm above baseline (96 vs 72)'],
        face('grimacing: brow lowered with eyes tightened in 70% of frames'),
      );
      await insert(2, [], face('relaxed: no frown or grimace in 10 frames'));
      await insert(3, [], face('looks sad, frightened or upset in 100% of frames'));
      await insert(4, [], null);

      await db.migrate();
      const rows = await db.query<{ seq: number; drivers: unknown; face: { pspi: number; painadFaceBasis: unknown } | null }>(
        `select seq::int as seq, drivers, face from score_window order by seq`,
      );
      expect(rows.map((r) => r.drivers)).toEqual([[], [], [], []]);
      expect(rows.map((r) => r.face?.painadFaceBasis ?? null)).toEqual([
        { code: 'grimacing' },
        { code: 'relaxed' },
        { code: 'looks_upset' },
        null,
      ]);
      expect(rows[0]!.face!.pspi).toBe(5.5);
    } finally {
      await db.close();
    }
  });

  it('starts existing alerts firing at their opening or last reactivation, and fills firing_since for writers that leave it out', async () => {
    const db = await open();
    try {
      await migrateBefore(db, '0006_');
      const [w] = await db.query<{ id: string }>(`insert into ward (name) values ('Escalation ward') returning id`);
      const insertAlert = (deviceId: string) =>
        db.query<{ id: string }>(
          `insert into alert (kind, category, priority, ward_id, device_id, opened_at, updated_at, explanation)
           values ('signal_lost', 'technical', 'low', $1, $2, '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z', '{}') returning id`,
          [w!.id, deviceId],
        );
      const [plain] = await insertAlert('d1');
      const [reactivated] = await insertAlert('d2');
      for (const [type, at] of [
        ['reactivated', '2026-01-01T10:05:00Z'],
        ['reactivated', '2026-01-01T10:09:00Z'],
        ['acknowledged', '2026-01-01T10:10:00Z'],
      ])
        await db.query(`insert into alert_event (alert_id, at, type) values ($1, $2, $3)`, [reactivated!.id, at, type]);

      await db.migrate();
      const firing = async (id: string) =>
        (
          await db.query<{ firingSince: Date; level: number; escalatedAt: Date | null }>(
            `select firing_since as "firingSince", escalation_level as level, escalated_at as "escalatedAt" from alert where id = $1`,
            [id],
          )
        )[0];
      expect(await firing(plain!.id)).toEqual({ firingSince: new Date('2026-01-01T10:00:00Z'), level: 0, escalatedAt: null });
      expect(await firing(reactivated!.id)).toEqual({ firingSince: new Date('2026-01-01T10:09:00Z'), level: 0, escalatedAt: null });
      const [fixture] = await insertAlert('d3');
      expect((await firing(fixture!.id))!.firingSince).toEqual(new Date('2026-01-01T10:00:00Z'));
      await expect(db.query(`update alert set escalation_level = -1 where id = $1`, [plain!.id])).rejects.toThrow(/alert_escalation_level/);
    } finally {
      await db.close();
    }
  });
});
