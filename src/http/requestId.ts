import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logger';
import { routeLabel } from '../metrics/routeLabel';

declare module 'koa' {
  interface DefaultState {
    requestId?: string;
    /** The API's logger with this request's id bound, for handlers' own lines (see requestLog). */
    log?: Logger;
    /** Set by routes that act on one reservation, so its request line can be found by either id. */
    reservationId?: string;
    workflowId?: string;
  }
}

// Anything else (too long, spaces, control characters) could forge log lines; a fresh id replaces it.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (accepting a well-formed incoming X-Request-Id, so a trace spans the
 * proxy and the API), echoes it in the response, and logs one line per request when it is done.
 * Handlers log through `ctx.state.log`, so their lines carry the id too.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const { reservationId, workflowId, user } = ctx.state;
      logger.info(
        {
          requestId,
          method: ctx.method,
          path: ctx.path,
          route: routeLabel(ctx),
          status: ctx.status,
          durationMs: Math.round(durationMs * 10) / 10,
          ...(user ? { userId: user.id } : {}),
          ...(reservationId ? { reservationId } : {}),
          ...(workflowId ? { workflowId } : {}),
        },
        'request',
      );
    }
  };
}

/** The request's child logger; `fallback` only where a handler runs outside requestContext (unit tests). */
export function requestLog(ctx: { state: { log?: Logger } }, fallback: Logger): Logger {
  return ctx.state.log ?? fallback;
}
