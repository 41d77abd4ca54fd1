import { isUnavailableSqlState } from '../db/pgErrors';

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
// gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), as Temporal's client reports them.
const GRPC_UNAVAILABLE = new Set([4, 14]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connect ECONNREFUSED|Timeout acquiring a connection|not queryable|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)|Failed to connect to Temporal server/;

interface ErrorFields {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  nativeError?: unknown;
  errors?: unknown;
}

export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as ErrorFields;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || isUnavailableSqlState(e.code))) return true;
  if (typeof e.code === 'number' && GRPC_UNAVAILABLE.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError' || e.name === 'ConnectionTimeoutError') return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Node reports a connection refused on every address of a host as an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailableError(inner, depth + 1))) return true;
  return isUnavailableError(e.cause, depth + 1) || isUnavailableError(e.nativeError, depth + 1);
}

