/**
 * One way to get a database: embedded PGlite in a data folder when no URL is given, PostgreSQL
 * through postgres.js when it is. Both expose the same drizzle API (`orm`) for ordinary queries
 * and the same raw `query(text, params)` for hot paths such as batched ingest, where building
 * statements through drizzle is measurably slower.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are typed by each repository
export type Row = Record<string, any>;

export interface Database {
  kind: 'pglite' | 'postgres';
  orm: Orm;
  /** Raw parameterised SQL ($1, $2, ...). Returns rows. */
  query<T extends object = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs fn in one transaction with its own raw query function. */
  transaction<T>(fn: (query: Database['query']) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

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
  const query = async <T extends object>(text: string, params: unknown[] = []) =>
    (await client.query<T>(text, params)).rows;
  return {
    kind: 'pglite',
    orm,
    query,
    transaction: (fn) => client.transaction((tx) => fn(async <T extends object>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows)),
    migrate: () => migratePglite(orm as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => client.close(),
  };
}

async function createPostgres(url: string, maxConnections: number): Promise<Database> {
  const sql = postgres(url, { max: maxConnections, onnotice: () => {}, prepare: true });
  const orm = drizzlePostgres(sql, { schema, casing: 'snake_case' }) as unknown as Orm;
  const query = async <T extends object>(text: string, params: unknown[] = []) =>
    (await sql.unsafe(text, params as never[])) as unknown as T[];
  return {
    kind: 'postgres',
    orm,
    query,
    transaction: (fn) =>
      sql.begin((tx) => fn(async <T extends object>(text: string, params: unknown[] = []) => (await tx.unsafe(text, params as never[])) as unknown as T[])) as never,
    migrate: () => migratePostgres(orm as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => sql.end({ timeout: 5 }),
  };
}
