import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Middleware } from 'koa';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_VERSION = (JSON.parse(readFileSync(path.join(SWAGGER_UI_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const ASSETS_PREFIX = '/docs/assets/';

/** The only files served from the package, with their types: nothing else under it is reachable. */
const PACKAGE_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

// A file of its own rather than an inline script, so the page works under `script-src 'self'`.
const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const asset = (file: string) => `${ASSETS_PREFIX}${file}?v=${SWAGGER_UI_VERSION}`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Cinema booking API</title>
  <link rel="stylesheet" href="${asset('swagger-ui.css')}">
  <link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}" sizes="32x32">
  <link rel="icon" type="image/png" href="${asset('favicon-16x16.png')}" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${asset('swagger-ui-bundle.js')}"></script>
  <script src="${asset('init.js')}"></script>
</body>
</html>
`;

// Swagger UI sets inline styles and shows data: images; everything else comes from this origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** GET /docs: Swagger UI (from the swagger-ui-dist package, no CDN) reading /openapi.json. */
export function docsRouter(): Router {
  const router = new Router();
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = PAGE;
  });
  return router;
}

/**
 * The page's scripts and styles under /docs/assets/. A middleware rather than a route: these are
 * files of the page, not operations of the API, so they stay out of the route table.
 */
export function docsAssets(): Middleware {
  const cache = new Map<string, Buffer | string>();
  return async (ctx, next) => {
    if (!ctx.path.startsWith(ASSETS_PREFIX) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const file = ctx.path.slice(ASSETS_PREFIX.length);
    const type = file === 'init.js' ? 'text/javascript; charset=utf-8' : PACKAGE_FILES[file];
    if (!type) return next();
    ctx.state.route = `${ASSETS_PREFIX}*`;
    let body = cache.get(file);
    if (body === undefined) {
      body = file === 'init.js' ? INIT_JS : await readFile(path.join(SWAGGER_UI_DIR, file));
      cache.set(file, body);
    }
    // The URL carries the package version, so a new version is a new URL.
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.type = type;
    ctx.body = body;
  };
}
