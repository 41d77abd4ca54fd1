/**
 * Postgres errors, in one place: the SQLSTATE codes we act on and the unwrapping of what knex
 * (pg's DatabaseError) or Objection (a DBError wrapping it in `nativeError`) rejects with, so a
 * route can map one constraint to its own API error and the error middleware a code class to a
 * status, instead of letting a raw SQL error become a 500.
 * Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_EXCLUSION_VIOLATION = '23P01';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHARACTER_NOT_IN_REPERTOIRE = '22021';
export const PG_NUMERIC_VALUE_OUT_OF_RANGE = '22003';
export const PG_STRING_DATA_RIGHT_TRUNCATION = '22001';
export const PG_INVALID_DATETIME_FORMAT = '22007';
export const PG_DATETIME_FIELD_OVERFLOW = '22008';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK_DETECTED = '40P01';
export const PG_LOCK_NOT_AVAILABLE = '55P03';
export const PG_QUERY_CANCELED = '57014';

/** Classes of codes, by their first two characters. */
export const PG_CLASS_INTEGRITY_CONSTRAINT = '23';
export const PG_CLASS_DATA_EXCEPTION = '22';
export const PG_CLASS_PROGRAM_LIMIT_EXCEEDED = '54';

// Connection exceptions (08xxx), admin/crash shutdown and cannot-connect-now (57P01-57P03),
// insufficient resources such as too many connections (53xxx): Postgres could not serve us.
const PG_UNAVAILABLE = /^(08...|57P0[1-3]|53...)$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;

interface PgErrorFields {
  code?: unknown;
  severity?: unknown;
  constraint?: unknown;
  nativeError?: unknown;
  cause?: unknown;
}

/**
 * The Postgres error itself (pg's DatabaseError carries `severity` and a five-character `code`),
 * or the one a wrapper holds; undefined for anything else, so a five-letter errno such as EPIPE
 * is not taken for one.
 */
function pgErrorOf(err: unknown, depth = 0): { code: string; constraint?: unknown } | undefined {
  if (!err || typeof err !== 'object' || depth > 3) return undefined;
  const e = err as PgErrorFields;
  if (typeof e.code === 'string' && SQLSTATE.test(e.code) && typeof e.severity === 'string') return { code: e.code, constraint: e.constraint };
  return pgErrorOf(e.nativeError, depth + 1) ?? pgErrorOf(e.cause, depth + 1);
}

/** The SQLSTATE of a Postgres error, or of the one an error wraps; undefined for anything else. */
export const sqlStateOf = (err: unknown): string | undefined => pgErrorOf(err)?.code;

/** True when `err` is the given SQLSTATE, optionally raised by the named constraint or index. */
export function isPgError(err: unknown, code: string, constraint?: string): boolean {
  const pg = pgErrorOf(err);
  if (!pg || pg.code !== code) return false;
  return constraint === undefined || pg.constraint === constraint;
}

/** A code that means Postgres could not serve the request at all (so it changed nothing). */
export const isUnavailableSqlState = (code: string): boolean => PG_UNAVAILABLE.test(code);
