/**
 * Tells whether an error means Postgres or Temporal could not be reached, so the request
 * changed nothing and the client may retry (503), rather than a bug (500).
 *
 * What the drivers throw when a backing service goes away, as seen in test/faults/:
 * - pg / knex: `connect ECONNREFUSED` (code ECONNREFUSED) while Postgres is down; SQLSTATE 57P01
 *   ("terminating connection due to administrator command") for sessions it ends on shutdown;
 *   57P03 ("the database system is shutting down / starting up") around a restart;
 *   "Connection terminated unexpectedly" and "Client has encountered a connection error and is
 *   not queryable" for a pooled connection that died; KnexTimeoutError when the pool cannot
 *   hand out a connection in time. Objection wraps these in a DBError with `nativeError`.
 * - Temporal's client: a gRPC status UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), directly or as
 *   the `cause` of a ServiceError / WorkflowUpdateRPCTimeoutOrCancelledError.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
// Postgres: connection exceptions (08xxx), admin/crash shutdown and cannot-connect-now (57P01-57P03),
// insufficient resources such as too many connections (53xxx).
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53...)$/;
// gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), as Temporal's client reports them.
const GRPC_UNAVAILABLE = new Set([4, 14]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connect ECONNREFUSED|Timeout acquiring a connection|not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)|Failed to connect to Temporal server/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

interface ErrorFields {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  severity?: unknown;
  cause?: unknown;
  nativeError?: unknown;
  errors?: unknown;
}

export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as ErrorFields;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) return true;
  if (typeof e.code === 'number' && GRPC_UNAVAILABLE.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError' || e.name === 'ConnectionTimeoutError') return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Node reports a connection refused on every address of a host as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailableError(inner, depth + 1))) return true;
  return isUnavailableError(e.cause, depth + 1) || isUnavailableError(e.nativeError, depth + 1);
}

/**
 * The SQLSTATE of a Postgres error (pg's DatabaseError carries `severity` and a five-character
 * `code`), or of the one an Objection DBError wraps; undefined for anything else, so a
 * five-letter errno such as EPIPE is not taken for one.
 */
export function sqlStateOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 3) return undefined;
  const e = err as ErrorFields;
  if (typeof e.code === 'string' && SQLSTATE.test(e.code) && typeof e.severity === 'string') return e.code;
  return sqlStateOf(e.nativeError, depth + 1) ?? sqlStateOf(e.cause, depth + 1);
}
