import cors from '@koa/cors';
import type { Context, Middleware } from 'koa';
import type { Config } from '../config';

/** Headers a browser script may read: where a new resource is, the trace id, when to retry, replays, caching. */
const EXPOSED_HEADERS = ['Location', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed', 'ETag'];
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'If-None-Match', 'Last-Event-ID'];
const LOCALHOST_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function isAllowedOrigin(origin: string, policy: Config['cors']): boolean {
  return policy.origins.includes(origin) || (policy.localhost && LOCALHOST_ORIGIN.test(origin));
}

/**
 * CORS for the allow-listed origins only. Tokens travel in the Authorization header, never in
 * cookies, so credentials stay off: another site cannot ride on a signed-in browser.
 */
export function corsPolicy(policy: Config['cors']): Middleware {
  return cors({
    // An empty answer sends no Access-Control-Allow-Origin, so the browser withholds the response.
    origin: (ctx: Context) => (isAllowedOrigin(ctx.get('Origin'), policy) ? ctx.get('Origin') : ''),
    credentials: false,
    exposeHeaders: EXPOSED_HEADERS,
    allowHeaders: ALLOWED_HEADERS,
    allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
}
