import Router from '@koa/router';
import type { AppDeps } from '../../../deps';
import { requireAuth, requireRole } from '../../../http/auth';
import { IdParams } from '../../../http/ids';
import { offsetOf, pageOf } from '../../../http/pagination';
import { parseBody, parseParams, parseQuery } from '../../../http/validate';
import { createShowtime, deleteShowtime, serializeShowtime, SHOWTIME_COLUMNS, showtimeNotFound, updateShowtime, type ShowtimeRow } from './schedule';
import { CreateShowtimeBody, ListShowtimesQuery, UpdateShowtimeBody } from './schema';
import { loadSeatMap } from './seatMap';
import { showtimeReport } from './report';

/** /showtimes: public reads and seat map, admin writes. */
export function showtimesRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/showtimes' });
  const adminOnly = [requireAuth(config.jwtSecret), requireRole('admin')];

  // Past showtimes are listed too unless `from` says otherwise: the filter is the caller's.
  router.get('/', async (ctx) => {
    const q = parseQuery(ctx, ListShowtimesQuery);
    const query = knex('showtimes').where('is_deleted', false);
    if (q.movie_id) query.where('movie_id', q.movie_id);
    if (q.auditorium_id) query.where('auditorium_id', q.auditorium_id);
    if (q.from) query.where('starts_at', '>=', q.from);
    if (q.to) query.where('starts_at', '<', q.to);
    const [rows, [{ count }]] = await Promise.all([
      query
        .clone()
        .orderBy([{ column: 'starts_at' }, { column: 'id' }])
        .limit(q.page_size)
        .offset(offsetOf(q))
        .select<ShowtimeRow[]>(SHOWTIME_COLUMNS),
      query.clone().count<{ count: number }[]>({ count: '*' }),
    ]);
    ctx.body = pageOf(rows.map(serializeShowtime), q, Number(count));
  });

  router.post('/', ...adminOnly, async (ctx) => {
    const body = parseBody(ctx, CreateShowtimeBody);
    const row = await createShowtime(knex, config.cleaningBufferMinutes, body);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/showtimes/${row.id}`);
    ctx.body = serializeShowtime(row);
  });

  router.get('/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const row: ShowtimeRow | undefined = await knex('showtimes').where({ id, is_deleted: false }).first(SHOWTIME_COLUMNS);
    if (!row) throw showtimeNotFound(id);
    ctx.body = serializeShowtime(row);
  });

  router.patch('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const body = parseBody(ctx, UpdateShowtimeBody);
    ctx.body = serializeShowtime(await updateShowtime(knex, config.cleaningBufferMinutes, id, body));
  });

  router.delete('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    await deleteShowtime(knex, id);
    ctx.status = 204;
  });

  router.get('/:id/seats', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const map = await loadSeatMap(knex, id);
    if (!map) throw showtimeNotFound(id);
    ctx.body = map;
  });

  router.get('/:id/report', requireAuth(config.jwtSecret), requireRole('admin', 'staff'), showtimeReport(knex));

  return router;
}
