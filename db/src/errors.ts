/**
 * Which database errors are worth retrying. Ingest retries only failures of the connection or of
 * the server's resources (a restart, a failover, a full disk, a lost connection): the same
 * statement will succeed once the database is back. Any other error is about the statement or its
 * data, and retrying it would fail forever, holding up every device behind it (see ingest's batch
 * splitting). Both drivers expose the PostgreSQL SQLSTATE as `code`; postgres.js and Node add
 * their own codes for broken connections.
 */

/** SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P operator intervention (shutdown, crash). */
const TRANSIENT_SQLSTATE = /^(08|53|57P)/;
/** Serialization failure and deadlock: the transaction may simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
/** Connection failures raised by postgres.js or Node's sockets rather than by the server. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** The SQLSTATE or driver code of an error, if it has one. */
export function databaseErrorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** True when the error is about reaching the database, not about the statement: retry it. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = databaseErrorCode(error);
  if (code === null) return false;
  return TRANSIENT_SQLSTATE.test(code) || RETRYABLE_SQLSTATES.has(code) || CONNECTION_CODES.has(code);
}
