import Router from '@koa/router';
import type { Knex } from 'knex';
import type { AppDeps } from '../../../deps';
import { isPgError, PG_UNIQUE_VIOLATION } from '../../../db/pgErrors';
import { requireAuth, requireRole } from '../../../http/auth';
import { conflict, notFound } from '../../../http/errors';
import { IdParams } from '../../../http/ids';
import { offsetOf, pageOf } from '../../../http/pagination';
import { parseBody, parseParams, parseQuery } from '../../../http/validate';
import { CreateAuditoriumBody, ListAuditoriumsQuery, SeatParams, UpdateSeatBody, type AuditoriumSummaryView, type AuditoriumView } from './schema';
import { auditoriumSeats, SEAT_COLUMNS, seatsForLayout, serializeSeat, type SeatRow } from './seats';

interface AuditoriumRow {
  id: number;
  name: string;
  created_at: Date;
  updated_at: Date;
}

interface AuditoriumSummaryRow extends AuditoriumRow {
  seat_count: number;
  active_seat_count: number;
}

const serializeSummary = (a: AuditoriumSummaryRow): AuditoriumSummaryView => ({
  id: a.id,
  name: a.name,
  seat_count: Number(a.seat_count),
  active_seat_count: Number(a.active_seat_count),
  created_at: a.created_at.toISOString(),
  updated_at: a.updated_at.toISOString(),
});

function serializeAuditorium(a: AuditoriumRow, seats: SeatRow[]): AuditoriumView {
  return {
    ...serializeSummary({ ...a, seat_count: seats.length, active_seat_count: seats.filter((s) => s.is_active).length }),
    seats: seats.map(serializeSeat),
  };
}

const auditoriumNotFound = (id: number) => notFound('AUDITORIUM_NOT_FOUND', `Auditorium ${id} does not exist`);
/** Names are unique case-insensitively among live auditoriums (auditoriums_name_unique). */
const NAME_INDEX = 'auditoriums_name_unique';
// Keeps each INSERT well below Postgres's 65,535 bind parameters (5 per seat).
const SEAT_INSERT_BATCH = 1000;

async function liveAuditorium(knex: Knex, id: number): Promise<AuditoriumRow> {
  const row: AuditoriumRow | undefined = await knex('auditoriums').where({ id, is_deleted: false }).first('id', 'name', 'created_at', 'updated_at');
  if (!row) throw auditoriumNotFound(id);
  return row;
}

/** /auditoriums: public reads, admin writes; seats are generated from the row layout. */
export function auditoriumsRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/auditoriums' });
  const adminOnly = [requireAuth(config.jwtSecret), requireRole('admin')];

  router.get('/', async (ctx) => {
    const q = parseQuery(ctx, ListAuditoriumsQuery);
    const live = knex('auditoriums').where('is_deleted', false);
    const [rows, [{ count }]] = await Promise.all([
      live
        .clone()
        .orderByRaw('lower(name), id')
        .limit(q.page_size)
        .offset(offsetOf(q))
        .select<AuditoriumSummaryRow[]>(
          'id',
          'name',
          'created_at',
          'updated_at',
          knex.raw('(SELECT count(*) FROM seats s WHERE s.auditorium_id = auditoriums.id AND NOT s.is_deleted) AS seat_count'),
          knex.raw('(SELECT count(*) FROM seats s WHERE s.auditorium_id = auditoriums.id AND NOT s.is_deleted AND s.is_active) AS active_seat_count'),
        ),
      live.clone().count<{ count: number }[]>({ count: '*' }),
    ]);
    ctx.body = pageOf(rows.map(serializeSummary), q, Number(count));
  });

  router.post('/', ...adminOnly, async (ctx) => {
    const body = parseBody(ctx, CreateAuditoriumBody);
    const created = await knex
      .transaction(async (trx) => {
        const [auditorium]: AuditoriumRow[] = await trx('auditoriums').insert({ name: body.name }).returning(['id', 'name', 'created_at', 'updated_at']);
        const seats = seatsForLayout(auditorium.id, body.rows);
        for (let i = 0; i < seats.length; i += SEAT_INSERT_BATCH) await trx('seats').insert(seats.slice(i, i + SEAT_INSERT_BATCH));
        return auditorium;
      })
      .catch((err: unknown) => {
        if (isPgError(err, PG_UNIQUE_VIOLATION, NAME_INDEX)) throw conflict('AUDITORIUM_NAME_TAKEN', `An auditorium named "${body.name}" already exists`);
        throw err;
      });
    ctx.status = 201;
    ctx.set('Location', `/api/v1/auditoriums/${created.id}`);
    ctx.body = serializeAuditorium(created, await auditoriumSeats(knex, created.id));
  });

  router.get('/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const auditorium = await liveAuditorium(knex, id);
    ctx.body = serializeAuditorium(auditorium, await auditoriumSeats(knex, id));
  });

  // A seat taken out of service can no longer be held (the hold path checks is_active);
  // reservations it already has stand, and the seat map keeps showing them as held/booked.
  router.patch('/:id/seats/:seatId', ...adminOnly, async (ctx) => {
    const { id, seatId } = parseParams(ctx, SeatParams);
    const body = parseBody(ctx, UpdateSeatBody);
    await liveAuditorium(knex, id);
    const [seat]: SeatRow[] = await knex('seats')
      .where({ id: seatId, auditorium_id: id, is_deleted: false })
      .update({ ...body, updated_at: knex.fn.now() })
      .returning(SEAT_COLUMNS);
    if (!seat) throw notFound('SEAT_NOT_FOUND', `Auditorium ${id} has no seat ${seatId}`);
    ctx.body = serializeSeat(seat);
  });

  return router;
}
