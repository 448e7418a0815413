import { describe, expect, it } from 'vitest';
import { findMigrationDrift } from './migration-drift.ts';

describe('committed migrations', () => {
  it('match the drizzle schema (no drift)', () => {
    expect(findMigrationDrift()).toEqual([]);
  });
});
