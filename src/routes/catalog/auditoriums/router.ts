import Router from '@koa/router';
import { createAuditorium, findAuditorium, listAuditoriums, updateSeat, type AuditoriumSummary } from '../../../catalog/auditoriums/auditoriums';
import type { Auditorium, Seat } from '../../../db/models';
import type { AppDeps } from '../../../deps';
import { requireAuth, requireRole } from '../../../http/auth';
import { IdParams } from '../../../http/ids';
import { windowOf, pageOf } from '../../../http/pagination';
import { parseBody, parseParams, parseQuery } from '../../../http/validate';
import { CreateAuditoriumBody, ListAuditoriumsQuery, SeatParams, UpdateSeatBody, type AuditoriumSummaryView, type AuditoriumView, type SeatView } from './schema';

export const serializeSeat = (s: Seat): SeatView => ({
  id: s.id,
  row: s.row,
  number: s.number,
  label: `${s.row}${s.number}`,
  seat_type: s.seat_type,
  price_modifier: s.price_modifier,
  is_active: s.is_active,
});

const serializeSummary = (a: AuditoriumSummary): AuditoriumSummaryView => ({
  id: a.id,
  name: a.name,
  seat_count: Number(a.seat_count),
  active_seat_count: Number(a.active_seat_count),
  focal_point: a.focal_row && a.focal_seat !== null ? { row: a.focal_row, seat: Number(a.focal_seat) } : null,
  created_at: a.created_at.toISOString(),
  updated_at: a.updated_at.toISOString(),
});

function serializeAuditorium(a: Auditorium & { seats: Seat[] }): AuditoriumView {
  const summary = Object.assign(a, { seat_count: a.seats.length, active_seat_count: a.seats.filter((s) => s.is_active).length });
  return { ...serializeSummary(summary), seats: a.seats.map(serializeSeat) };
}

/** /auditoriums: public reads, admin writes; seats are generated from the row layout. */
export function auditoriumsRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/auditoriums' });
  const adminOnly = [requireAuth(config.jwtSecret), requireRole('admin')];

  router.get('/', async (ctx) => {
    const q = parseQuery(ctx, ListAuditoriumsQuery);
    const { auditoriums, total } = await listAuditoriums(knex, windowOf(q));
    ctx.body = pageOf(auditoriums.map(serializeSummary), q, total);
  });

  router.post('/', ...adminOnly, async (ctx) => {
    const body = parseBody(ctx, CreateAuditoriumBody);
    const created = await createAuditorium(knex, body.name, body.rows, body.focal_point);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/auditoriums/${created.id}`);
    ctx.body = serializeAuditorium(created);
  });

  router.get('/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeAuditorium(await findAuditorium(knex, id));
  });

  router.patch('/:id/seats/:seatId', ...adminOnly, async (ctx) => {
    const { id, seatId } = parseParams(ctx, SeatParams);
    ctx.body = serializeSeat(await updateSeat(knex, id, seatId, parseBody(ctx, UpdateSeatBody)));
  });

  return router;
}
