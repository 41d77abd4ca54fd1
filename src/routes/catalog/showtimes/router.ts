import Router from '@koa/router';
import { loadShowtimeReport } from '../../../catalog/showtimes/report';
import { createShowtime, deleteShowtime, findShowtime, listShowtimes, showtimeNotFound, updateShowtime } from '../../../catalog/showtimes/schedule';
import { loadSeatVersion, loadVersionedSeatMap } from '../../../catalog/showtimes/seatMap';
import type { Showtime } from '../../../db/models';
import type { AppDeps } from '../../../deps';
import { requireAuth, requireRole } from '../../../http/auth';
import { ifNoneMatchHits, versionETag } from '../../../http/etag';
import { IdParams } from '../../../http/ids';
import { windowOf, pageOf } from '../../../http/pagination';
import { parseBody, parseParams, parseQuery } from '../../../http/validate';
import { CreateShowtimeBody, ListShowtimesQuery, UpdateShowtimeBody, type SeatMapView, type ShowtimeReportView, type ShowtimeView } from './schema';

export const serializeShowtime = (s: Showtime): ShowtimeView => ({
  id: s.id,
  movie_id: s.movie_id,
  auditorium_id: s.auditorium_id,
  starts_at: s.starts_at.toISOString(),
  ends_at: s.ends_at.toISOString(),
  base_price: s.base_price,
  created_at: s.created_at.toISOString(),
  updated_at: s.updated_at.toISOString(),
});

/** /showtimes: public reads and seat map, admin writes. */
export function showtimesRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/showtimes' });
  const adminOnly = [requireAuth(config.jwtSecret), requireRole('admin')];

  router.get('/', async (ctx) => {
    const q = parseQuery(ctx, ListShowtimesQuery);
    const { showtimes, total } = await listShowtimes(knex, { ...q, ...windowOf(q) });
    ctx.body = pageOf(showtimes.map(serializeShowtime), q, total);
  });

  router.post('/', ...adminOnly, async (ctx) => {
    const showtime = await createShowtime(knex, config.cleaningBufferMinutes, parseBody(ctx, CreateShowtimeBody));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/showtimes/${showtime.id}`);
    ctx.body = serializeShowtime(showtime);
  });

  router.get('/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeShowtime(await findShowtime(knex, id));
  });

  router.patch('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeShowtime(await updateShowtime(knex, config.cleaningBufferMinutes, id, parseBody(ctx, UpdateShowtimeBody)));
  });

  router.delete('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    await deleteShowtime(knex, id);
    ctx.status = 204;
  });

  router.get('/:id/seats', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    // Pages re-check their map often: an unchanged one costs a primary-key read, not the map.
    ctx.set('Cache-Control', 'no-cache');
    const ifNoneMatch = ctx.get('If-None-Match');
    if (ifNoneMatch) {
      const version = await loadSeatVersion(knex, id);
      if (version === null) throw showtimeNotFound(id);
      if (ifNoneMatchHits(ifNoneMatch, versionETag(version))) {
        ctx.set('ETag', versionETag(version));
        ctx.status = 304;
        return;
      }
    }
    const loaded = await loadVersionedSeatMap(knex, id);
    if (!loaded) throw showtimeNotFound(id);
    const map: SeatMapView = loaded.map;
    ctx.set('ETag', versionETag(loaded.version));
    ctx.body = map;
  });

  router.get('/:id/report', requireAuth(config.jwtSecret), requireRole('admin', 'staff'), async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const report: ShowtimeReportView | null = await loadShowtimeReport(knex, id);
    if (!report) throw showtimeNotFound(id);
    ctx.body = report;
  });

  return router;
}
