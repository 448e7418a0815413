/**
 * One way to get a database: embedded PGlite in a data folder when no URL is given, PostgreSQL
 * through postgres.js when it is. Both expose the same drizzle API (`orm`), which every
 * repository query goes through, and the same raw `query(text, params)`, kept for the one hot
 * path (score ingest's batch writes, where building statements through drizzle is measurably
 * slower), the health check and tests that inspect or damage tables on purpose.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { DrizzleQueryError } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { PgPreparedQuery, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
/** The orm inside `orm.transaction(...)`. */
export type OrmTransaction = Parameters<Parameters<Orm['transaction']>[0]>[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw rows are typed by the caller
export type Row = Record<string, any>;

export interface Database {
  kind: 'pglite' | 'postgres';
  /** drizzle over the schema: the way repositories read and write (`orm.transaction` for transactions). */
  orm: Orm;
  /** Raw parameterised SQL ($1, $2, ...); the row type is the caller's word. Hot path, health check and tests only. */
  query<T extends object = Row>(text: string, params?: unknown[]): Promise<T[]>;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL only: LISTEN on a channel over a connection of its own (postgres.js re-listens after
   * a reconnect and calls `onListen` each time; notifications sent while it was away are lost).
   */
  listen?(channel: string, onPayload: (payload: string) => void, onListen: () => void): Promise<{ unlisten(): Promise<void> }>;
}

/** `['a', 'b"c']` -> `{"a","b\"c"}`: a PostgreSQL array literal of quoted text elements. */
export function toArrayLiteral(values: unknown[]): string {
  const element = (v: unknown) =>
    v === null || v === undefined ? 'NULL' : `"${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `{${values.map(element).join(',')}}`;
}

/**
 * drizzle wraps every driver error in a DrizzleQueryError whose message carries the SQL and its
 * parameters. Callers read the driver's SQLSTATE as `code` (23505: a bed or username taken; the
 * connection codes ingest retries), and error messages reach the logs, where parameters (patient
 * names, password hashes) must never appear. So the orm throws the driver's own error, exactly as
 * the raw path does. queryWithCache is the one place drizzle runs a statement and wraps.
 */
function throwDriverErrors(): void {
  const prototype = PgPreparedQuery.prototype as unknown as {
    queryWithCache: (this: unknown, ...args: unknown[]) => Promise<unknown>;
    driverErrors?: true;
  };
  if (prototype.driverErrors) return;
  const queryWithCache = prototype.queryWithCache;
  // A drizzle upgrade that renames this must stop the server at start, not leak parameters into logs.
  if (typeof queryWithCache !== 'function')
    throw new Error('drizzle-orm changed: PgPreparedQuery.queryWithCache is gone (db/src/client.ts)');
  prototype.queryWithCache = async function (...args) {
    try {
      return await queryWithCache.apply(this, args);
    } catch (error) {
      throw error instanceof DrizzleQueryError && error.cause !== undefined ? error.cause : error;
    }
  };
  prototype.driverErrors = true;
}
throwDriverErrors();

const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export interface DatabaseOptions {
  /** postgres://... ; when absent an embedded PGlite database is used. */
  url?: string | undefined;
  /** Folder for PGlite's files; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? createPostgres(options.url, options.maxConnections ?? 10) : createPglite(options.pgliteDir ?? 'memory://');
}

async function createPglite(dir: string): Promise<Database> {
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const orm = drizzlePglite(client, { schema, casing: 'snake_case' }) as unknown as Orm;
  const query = async <T extends object>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows;
  return {
    kind: 'pglite',
    orm,
    query,
    migrate: () => migratePglite(orm as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => client.close(),
  };
}

async function createPostgres(url: string, maxConnections: number): Promise<Database> {
  // fetch_types: false. postgres.js otherwise asks each new connection for the array types, and a
  // connection killed during that query (a database restart, a failover) raised an unhandled
  // rejection, which stops a Node process; arrays are sent as literals below and no query reads one.
  const sql = postgres(url, { max: maxConnections, onnotice: () => {}, prepare: true, fetch_types: false });
  const orm = drizzlePostgres(sql, { schema, casing: 'snake_case' }) as unknown as Orm;
  // drizzle turns postgres.js's timestamp parsers into pass-through strings for its own mapping;
  // the raw query path promises Dates, as PGlite returns them.
  const parsers = (sql.options as unknown as { parsers: Record<number, (x: string) => unknown> }).parsers;
  for (const oid of [TIMESTAMPTZ_OID, TIMESTAMP_OID]) parsers[oid] = (x: string) => new Date(oid === TIMESTAMP_OID ? `${x}Z` : x);
  // postgres.js does not know array types (fetch_types is off), so arrays are sent as array
  // literals (the SQL casts them, e.g. $1::uuid[]). PGlite serialises them itself.
  const bind = (params: unknown[]) => params.map((p) => (Array.isArray(p) ? toArrayLiteral(p) : p)) as never[];
  const query = async <T extends object>(text: string, params: unknown[] = []) => (await sql.unsafe(text, bind(params))) as unknown as T[];
  return {
    kind: 'postgres',
    orm,
    query,
    migrate: () => migratePostgres(orm as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => sql.end({ timeout: 5 }),
    listen: async (channel, onPayload, onListen) => {
      const listening = await sql.listen(channel, onPayload, onListen);
      return { unlisten: () => listening.unlisten() };
    },
  };
}
