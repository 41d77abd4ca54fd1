import Router from '@koa/router';
import { buildOpenApiDocument } from './document';

/**
 * GET /openapi.json. The document is built when the app is, so a schema that cannot be
 * described stops the server at start-up instead of failing a request later.
 */
export function openapiRouter(): Router {
  const router = new Router();
  const document = JSON.stringify(buildOpenApiDocument());
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = document;
  });
  return router;
}
