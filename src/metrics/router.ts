import Router from '@koa/router';
import type { Registry } from 'prom-client';

/**
 * GET /metrics in Prometheus's text format. Meant for a scraper on the private network: put it
 * behind the ingress's deny list where the API is public (it names routes, not users or ids).
 */
export function metricsRouter(registry: Registry): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
