import Router from '@koa/router';
import type { AppDeps } from '../../../deps';
import { requireAuth, requireRole } from '../../../http/auth';
import { windowOf, pageOf, PaginationQuery } from '../../../http/pagination';
import { parseParams, parseQuery } from '../../../http/validate';
import { loadSeatHistory } from '../../../reservations/seatHistory';
import { SeatHistoryParams, type SeatHistoryItemView } from './schema';

/** GET /showtimes/:id/seats/:seat_id/history (staff, admin): every hold, booking, release and check-in of a seat. */
export function seatHistoryRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/showtimes' });

  router.get('/:id/seats/:seat_id/history', requireAuth(config.jwtSecret), requireRole('admin', 'staff'), async (ctx) => {
    const { id, seat_id: seatId } = parseParams(ctx, SeatHistoryParams);
    const q = parseQuery(ctx, PaginationQuery);
    const { items, total } = await loadSeatHistory(knex, id, seatId, windowOf(q));
    ctx.body = pageOf<SeatHistoryItemView>(items, q, total);
  });

  return router;
}
