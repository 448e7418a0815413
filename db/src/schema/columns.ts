import { uuid, type ReferenceConfig } from 'drizzle-orm/pg-core';

/**
 * A uuid column that must point at a row of another table, e.g. `stayId: requiredReference(() => stay.id)`.
 * Not exported from the schema index: it is a column builder, not a table.
 */
export function requiredReference(column: ReferenceConfig['ref'], actions?: ReferenceConfig['actions']) {
  return uuid().notNull().references(column, actions);
}
