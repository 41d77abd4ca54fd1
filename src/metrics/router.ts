import Router from '@koa/router';
import type { Registry } from 'prom-client';
import { secretsEqual } from '../accounts/secrets';
import type { Config } from '../config';
import { ApiError } from '../http/errors';

/**
 * GET /metrics in Prometheus's text format. With METRICS_TOKEN set, a scraper must send it as a
 * bearer token (Prometheus's `authorization` setting). Production without a token does not serve
 * it at all: the route names and outcome counts are for operators, not for the internet.
 */
export function metricsRouter(registry: Registry, config: Pick<Config, 'env' | 'metricsToken'>): Router {
  const router = new Router();
  const token = config.metricsToken;
  router.get('/metrics', async (ctx) => {
    if (token === undefined && config.env === 'production') {
      throw new ApiError(404, 'NOT_FOUND', 'Metrics are not served here: set METRICS_TOKEN to serve them to a scraper that sends it');
    }
    if (token !== undefined) {
      const given = /^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1] ?? '';
      if (!secretsEqual(given, token)) {
        throw new ApiError(401, 'UNAUTHORIZED', 'GET /metrics needs the METRICS_TOKEN as a bearer token', {}, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
      }
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
