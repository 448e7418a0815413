/** Test support: a fresh, uniquely named PostgreSQL database per suite so parallel suites never share state. */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export async function createScratchDatabaseUrl(adminUrl: string): Promise<string> {
  const name = `attune_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the scratch databases this process created (and any left by crashed runs older than an hour is not our business). */
export async function dropScratchDatabase(adminUrl: string, scratchUrl: string): Promise<void> {
  const name = new URL(scratchUrl).pathname.slice(1);
  if (!name.startsWith('attune_test_')) throw new Error(`refusing to drop ${name}`);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
