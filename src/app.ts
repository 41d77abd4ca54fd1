import Koa from 'koa';
import Router from '@koa/router';
import type { AppDeps } from './deps';
import { corsPolicy } from './http/cors';
import { errorMiddleware } from './http/errorMiddleware';
import { jsonBodyParser } from './http/bodyParser';
import { requestContext } from './http/requestId';
import { securityHeaders } from './http/securityHeaders';
import { onlyTrustedProxies } from './http/trustedProxies';
import { createApiMetrics, type ApiMetrics } from './metrics/apiMetrics';
import { httpMetrics } from './metrics/httpMetrics';
import { metricsRouter } from './metrics/router';
import { docsAssets, docsRouter } from './openapi/docs';
import { openapiRouter } from './openapi/router';
import { healthRouter } from './routes/health/router';
import { apiRouters } from './routes';
import { seatmapAssets, seatmapRouter } from './seatmap/page';

/** The routers outside /api/v1, in one list so the app and the OpenAPI check agree. */
export function rootRouters(deps: AppDeps, metrics: ApiMetrics): Router[] {
  return [healthRouter(deps), openapiRouter(), docsRouter(), metricsRouter(metrics.registry, deps.config), seatmapRouter()];
}

/** Builds the API without listening, so tests drive it over HTTP on a port of their own. */
export function createApp(deps: AppDeps, metrics: ApiMetrics = createApiMetrics()): Koa {
  const app = new Koa();
  // X-Forwarded-For is anyone's to write: only the entries our own proxies appended are believed,
  // so a forged address cannot dodge the per-address limits.
  app.proxy = deps.config.trustProxyHops > 0;
  app.maxIpsCount = deps.config.trustProxyHops;
  if (deps.config.trustProxyAddresses.length > 0) app.use(onlyTrustedProxies(deps.config.trustProxyAddresses));
  // Outermost, so the log line and the metrics see the status the error middleware settled on.
  app.use(requestContext(deps.logger));
  app.use(httpMetrics(metrics));
  // Outside the error middleware, so error answers carry them too; CORS answers preflights itself.
  app.use(securityHeaders(deps.config.env));
  app.use(corsPolicy(deps.config.cors));
  app.use(errorMiddleware(deps.logger));
  app.use(docsAssets());
  app.use(seatmapAssets());
  app.use(jsonBodyParser());

  const api = new Router({ prefix: '/api/v1' });
  for (const router of apiRouters(deps)) {
    api.use(router.routes(), router.allowedMethods());
  }

  for (const root of rootRouters(deps, metrics)) app.use(root.routes()).use(root.allowedMethods());
  // Not thrown: the router sets Allow only on the answer it writes itself (the error middleware
  // then gives that 405 or 501 the JSON error shape, keeping the header).
  app.use(api.routes()).use(api.allowedMethods());
  // Koa would print every error to stderr itself; the error middleware already reported it.
  app.silent = true;
  return app;
}
