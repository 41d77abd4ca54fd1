import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { IntId } from '../http/ids';
import { parseParams } from '../http/validate';

/** Shipped as they are (no build step): the Dockerfile copies src/ whole, so production has them. */
const PUBLIC_DIR = path.join(__dirname, 'public');
const ASSETS_PREFIX = '/seatmap/assets/';
const ASSETS: Record<string, string> = {
  'seatmap.js': 'text/javascript; charset=utf-8',
  'seatmap.css': 'text/css; charset=utf-8',
};
// Everything from this origin: the page talks only to this API and its event stream.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export const SeatmapPageParams = z.object({ showtime_id: IntId });

const read = (() => {
  const cache = new Map<string, Promise<string>>();
  return (file: string) => {
    let body = cache.get(file);
    if (!body) {
      body = readFile(path.join(PUBLIC_DIR, file), 'utf8');
      cache.set(file, body);
    }
    return body;
  };
})();

/** GET /seatmap/:showtime_id: the live seat-map page, the API's reference frontend. */
export function seatmapRouter(): Router {
  const router = new Router();
  router.get('/seatmap/:showtime_id', async (ctx) => {
    parseParams(ctx, SeatmapPageParams);
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = await read('index.html');
  });
  return router;
}

/** The page's script and style under /seatmap/assets/: files of the page, not API operations. */
export function seatmapAssets(): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(ASSETS_PREFIX) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const file = ctx.path.slice(ASSETS_PREFIX.length);
    const type = ASSETS[file];
    if (!type) return next();
    ctx.state.route = `${ASSETS_PREFIX}*`;
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = type;
    ctx.body = await read(file);
  };
}
