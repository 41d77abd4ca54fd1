import helmet from 'koa-helmet';
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import type { Config } from '../config';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;
// Answers that name a person or a booking: a shared cache or the browser's back button must not keep them.
const PRIVATE_PREFIXES = ['/api/v1/auth', '/api/v1/reservations', '/api/v1/users'];

function isPrivate(ctx: { path: string; get(field: string): string }): boolean {
  return ctx.get('Authorization') !== '' || PRIVATE_PREFIXES.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`));
}

/**
 * helmet's headers (nosniff, frame and referrer policies, ...) on every answer, HSTS only in
 * production (a dev server on plain http would teach the browser to refuse it), and no-store on
 * private answers, error answers included.
 */
export function securityHeaders(env: Config['env']): Middleware {
  return compose([
    helmet({
      // The HTML pages (/docs, /seatmap) set a policy fitted to their own assets.
      contentSecurityPolicy: false,
      strictTransportSecurity: env === 'production' ? { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true } : false,
      // The API is meant to be read by frontends on other origins (CORS decides which).
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
    async (ctx, next) => {
      try {
        await next();
      } finally {
        if (isPrivate(ctx)) ctx.set('Cache-Control', 'no-store');
      }
    },
  ]);
}
