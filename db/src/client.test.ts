import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './client.ts';
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
