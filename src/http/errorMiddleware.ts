import type { Middleware } from 'koa';
import { ApiError, serviceUnavailable } from './errors';
import { isUnavailableError } from './unavailable';
import {
  PG_CHARACTER_NOT_IN_REPERTOIRE,
  PG_CLASS_DATA_EXCEPTION,
  PG_CLASS_INTEGRITY_CONSTRAINT,
  PG_CLASS_PROGRAM_LIMIT_EXCEEDED,
  PG_DATETIME_FIELD_OVERFLOW,
  PG_DEADLOCK_DETECTED,
  PG_EXCLUSION_VIOLATION,
  PG_FOREIGN_KEY_VIOLATION,
  PG_INVALID_DATETIME_FORMAT,
  PG_LOCK_NOT_AVAILABLE,
  PG_NUMERIC_VALUE_OUT_OF_RANGE,
  PG_QUERY_CANCELED,
  PG_SERIALIZATION_FAILURE,
  PG_STRING_DATA_RIGHT_TRUNCATION,
  PG_UNIQUE_VIOLATION,
  sqlStateOf,
} from '../db/pgErrors';
import type { Logger } from '../logger';
import { requestLog } from './requestId';

const KOA_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  501: 'NOT_IMPLEMENTED',
};

const invalidValue = (detail: string) => new ApiError(422, 'INVALID_VALUE', detail);

/**
 * A Postgres error by its SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html),
 * whether it came through Objection (wrapped, with `nativeError`) or straight from knex/pg. Data
 * and constraint errors are the client's (4xx); a serialization failure or deadlock rolled the
 * transaction back, so the request changed nothing and may be retried (503). Anything else
 * (syntax errors, undefined columns: bugs) stays a 500.
 */
function fromSqlState(code: string): ApiError | null {
  switch (code) {
    case PG_UNIQUE_VIOLATION:
      return new ApiError(409, 'CONFLICT', 'The resource conflicts with an existing one');
    case PG_EXCLUSION_VIOLATION:
      return new ApiError(409, 'CONFLICT', 'The change conflicts with an existing resource');
    case PG_FOREIGN_KEY_VIOLATION:
      return new ApiError(422, 'INVALID_REFERENCE', 'A referenced resource does not exist');
    case PG_CHARACTER_NOT_IN_REPERTOIRE:
      return invalidValue('A text value contains a character that cannot be stored, such as NUL');
    case PG_NUMERIC_VALUE_OUT_OF_RANGE:
      return invalidValue('A number is out of range');
    case PG_STRING_DATA_RIGHT_TRUNCATION:
      return invalidValue('A value is too long');
    case PG_INVALID_DATETIME_FORMAT:
    case PG_DATETIME_FIELD_OVERFLOW:
      return invalidValue('A date or time is malformed or out of range');
    case PG_SERIALIZATION_FAILURE:
    case PG_DEADLOCK_DETECTED:
      return serviceUnavailable('The request collided with a concurrent one; nothing was changed. Retry shortly.');
    case PG_LOCK_NOT_AVAILABLE:
    case PG_QUERY_CANCELED:
      return serviceUnavailable('The database is busy; nothing was changed. Retry shortly.');
  }
  // 23xxx integrity constraints (not null, check), 22xxx data exceptions, 54xxx values too large.
  if (code.startsWith(PG_CLASS_INTEGRITY_CONSTRAINT) || code.startsWith(PG_CLASS_DATA_EXCEPTION)) return invalidValue('A value is out of range or of the wrong form');
  if (code.startsWith(PG_CLASS_PROGRAM_LIMIT_EXCEEDED)) return invalidValue('A value is too large or too complex to store');
  return null;
}

/** Maps anything a handler throws to a status and API.md's error shape; never leaks internals. */
function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (isUnavailableError(err)) return serviceUnavailable();
  const sqlState = sqlStateOf(err);
  if (sqlState) return fromSqlState(sqlState);
  const status = (err as { status?: unknown }).status;
  const expose = (err as { expose?: unknown }).expose;
  if (typeof status === 'number' && ((status >= 400 && status < 500 && expose) || status === 501)) {
    // Errors thrown by Koa itself and its middleware (ctx.throw, koa-jwt, the router's 405 and
    // its 501 for a method it does not know).
    const detail = status === 401 ? 'Authentication required' : String((err as Error).message);
    return new ApiError(status, KOA_CODES[status] ?? 'BAD_REQUEST', detail);
  }
  return null;
}

export function errorMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, 'NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      }
      // The routers' own 405 and 501 answers (with Allow) have no body yet: give them the error shape.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        const verb = ctx.status === 405 ? 'is not allowed on' : 'is not implemented for';
        throw new ApiError(ctx.status, KOA_CODES[ctx.status], `${ctx.method} ${verb} ${ctx.path}`);
      }
    } catch (err) {
      const apiError = toApiError(err);
      const log = requestLog(ctx, logger);
      if (apiError) {
        const sqlState = sqlStateOf(err);
        if (apiError.status >= 500) log.warn({ err, sqlState }, apiError.detail);
        // The database refused what validation let through: the answer is right, the schema has a gap.
        else if (sqlState) log.warn({ sqlState, method: ctx.method, path: ctx.path }, `database refused the request: ${apiError.detail}`);
        ctx.status = apiError.status;
        ctx.set(apiError.headers);
        ctx.body = { detail: apiError.detail, code: apiError.code, ...apiError.extra };
        return;
      }
      log.error({ err, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { detail: 'Internal server error', code: 'INTERNAL_ERROR' };
    }
  };
}
