import type { Middleware } from 'koa';
import { DBError, UniqueViolationError, ForeignKeyViolationError, CheckViolationError, DataError, NotNullViolationError } from 'objection';
import { ApiError } from './errors';
import { isUnavailableError } from './unavailable';
import type { Logger } from '../logger';

/** Maps anything a handler throws to a status and API.md's error shape; never leaks internals. */
function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (isUnavailableError(err)) {
    return new ApiError(503, 'SERVICE_UNAVAILABLE', 'A backing service is unavailable; nothing was changed. Retry shortly.', {}, { 'Retry-After': '5' });
  }
  if (err instanceof UniqueViolationError) return new ApiError(409, 'CONFLICT', 'The resource conflicts with an existing one');
  if (err instanceof ForeignKeyViolationError) return new ApiError(422, 'INVALID_REFERENCE', 'A referenced resource does not exist');
  if (err instanceof CheckViolationError || err instanceof NotNullViolationError || err instanceof DataError) {
    return new ApiError(422, 'INVALID_VALUE', 'A value is out of range or of the wrong form');
  }
  if (err instanceof DBError) return null;
  const status = (err as { status?: unknown }).status;
  const expose = (err as { expose?: unknown }).expose;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose) {
    // Errors thrown by Koa itself and its middleware (ctx.throw, koa-jwt).
    const codes: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };
    const detail = status === 401 ? 'Authentication required' : String((err as Error).message);
    return new ApiError(status, codes[status] ?? 'BAD_REQUEST', detail);
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
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError) {
        if (apiError.status >= 500) logger.warn({ err, requestId: ctx.state.requestId }, apiError.detail);
        ctx.status = apiError.status;
        ctx.set(apiError.headers);
        ctx.body = { detail: apiError.detail, code: apiError.code, ...apiError.extra };
        return;
      }
      logger.error({ err, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { detail: 'Internal server error', code: 'INTERNAL_ERROR' };
    }
  };
}
