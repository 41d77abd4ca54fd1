/**
 * Tells whether an error means Postgres or Temporal could not be reached, so the request
 * changed nothing and the client may retry (503), rather than a bug (500).
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
// Postgres: connection exceptions (08xxx), admin/crash shutdown, cannot connect now, too many connections.
const PG_UNAVAILABLE = /^(08...|57P01|57P02|57P03|53300)$/;
// gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4), as Temporal's client reports them.
const GRPC_UNAVAILABLE = new Set([4, 14]);

export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; nativeError?: unknown };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) return true;
  if (typeof e.code === 'number' && GRPC_UNAVAILABLE.has(e.code)) return true;
  if (e.name === 'KnexTimeoutError' || e.name === 'ConnectionTimeoutError') return true;
  if (typeof e.message === 'string' && /Connection terminated|connect ECONNREFUSED|Timeout acquiring a connection/.test(e.message)) {
    return true;
  }
  return isUnavailableError(e.cause, depth + 1) || isUnavailableError(e.nativeError, depth + 1);
}
