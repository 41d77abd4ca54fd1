/**
 * Reads Postgres error details from what knex rejects with (pg's DatabaseError) or from an
 * Objection wrapper around it, so a route can map one specific constraint to its own API error
 * instead of letting a raw SQL error become a 500.
 */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_EXCLUSION_VIOLATION = '23P01';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
  nativeError?: unknown;
}

function pgFields(err: unknown): PgErrorFields | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as PgErrorFields;
  if (typeof e.code === 'string') return e;
  return e.nativeError ? pgFields(e.nativeError) : undefined;
}

/** True when `err` is the given SQLSTATE, optionally raised by the named constraint or index. */
export function isPgError(err: unknown, code: string, constraint?: string): boolean {
  const fields = pgFields(err);
  if (!fields || fields.code !== code) return false;
  return constraint === undefined || fields.constraint === constraint;
}
