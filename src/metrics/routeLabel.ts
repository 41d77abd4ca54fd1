import type { Context } from 'koa';

interface MatchedLayer {
  path: string | RegExp;
  methods: string[];
}

declare module 'koa' {
  interface DefaultState {
    /** Set by middleware that serves a family of paths outside the routers (the docs page's files). */
    route?: string;
  }
}

/** Label for requests no route matched: raw paths would give every probe its own series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route pattern a request was served by, e.g. `/api/v1/reservations/:id`, never the raw path.
 *
 * @koa/router's `_matchedRoute` is not enough: while a `router.use()` middleware runs (the
 * reservations router's requireAuth), it holds that middleware's prefix pattern, and a 401 from
 * there would be labelled `/api/v1/reservations(?:\/|$)`. `ctx.matched` lists every layer whose
 * path matched, so the route is the last one with methods, preferring one that also has this
 * method (a 405 still names the path).
 */
export function routeLabel(ctx: Context): string {
  if (ctx.state.route) return ctx.state.route;
  const matched = ((ctx as Context & { matched?: MatchedLayer[] }).matched ?? []).filter((l) => l.methods.length > 0 && typeof l.path === 'string');
  const forMethod = matched.filter((l) => l.methods.includes(ctx.method));
  const layer = forMethod.at(-1) ?? matched.at(-1);
  return layer ? String(layer.path) : UNMATCHED_ROUTE;
}
