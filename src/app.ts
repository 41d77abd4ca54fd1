import Koa from 'koa';
import Router from '@koa/router';
import type { AppDeps } from './deps';
import { errorMiddleware } from './http/errorMiddleware';
import { jsonBodyParser } from './http/bodyParser';
import { requestContext } from './http/requestId';
import { healthRouter } from './routes/health/router';
import { apiRouters } from './routes';

/** Builds the API without listening, so tests drive it over HTTP on a port of their own. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = deps.config.env === 'production';
  app.use(requestContext(deps.logger));
  app.use(errorMiddleware(deps.logger));
  app.use(jsonBodyParser());

  const api = new Router({ prefix: '/api/v1' });
  for (const router of apiRouters(deps)) {
    api.use(router.routes(), router.allowedMethods());
  }

  const root = healthRouter(deps);
  app.use(root.routes()).use(root.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods({ throw: true }));
  // Koa would print every error to stderr itself; the error middleware already reported it.
  app.silent = true;
  return app;
}
