import Router from '@koa/router';
import type { Context } from 'koa';
import { cancelUpdate, confirmUpdate, type CancelInput, type ConfirmResult } from '../../../workflows/shared';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth, type AuthUser } from '../../http/auth';
import { ApiError, conflict, notFound } from '../../http/errors';
import { UuidParams } from '../../http/ids';
import { offsetOf, pageOf } from '../../http/pagination';
import { parse, parseBody, parseQuery } from '../../http/validate';
import { createHold } from '../../reservations/createHold';
import { loadReservationBody, RESERVATION_COLUMNS, seatsByReservation, serializeReservation, type ReservationBody, type ReservationRow } from '../../reservations/serialize';
import { afterShowStart } from '../../reservations/showtimeStarted';
import { updateFailureToApiError } from '../../reservations/workflowErrors';
import { CancelReservationBody, ConfirmReservationBody, CreateReservationBody, IdempotencyKey, ListReservationsQuery } from './schema';

/** How long a confirm or cancel may wait on its workflow before the API answers 503. */
const UPDATE_DEADLINE_MS = 30_000;

const seesAll = (user: AuthUser) => user.role === 'admin' || user.role === 'staff';

export function reservationsRouter(deps: AppDeps): Router {
  const { knex, temporal, config } = deps;
  const router = new Router({ prefix: '/reservations' });
  router.use(requireAuth(config.jwtSecret));

  /** A reservation the caller may see; another user's is "not found", never "forbidden". */
  async function visibleReservation(ctx: Context): Promise<ReservationBody> {
    // A malformed id names no reservation: "not found", like any other missing one.
    const params = UuidParams.safeParse((ctx as Context & { params?: unknown }).params);
    if (!params.success) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    const user = currentUser(ctx.state);
    const body = await loadReservationBody(knex, params.data.id);
    if (!body || (body.user_id !== user.id && !seesAll(user))) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    ctx.state.reservationId = body.id;
    ctx.state.workflowId = body.workflow_id;
    return body;
  }

  /** Answers a closed workflow's confirm/cancel from the status it left behind. */
  function closedWorkflowError(status: ReservationBody['status']): ApiError {
    if (status === 'expired') return conflict('HOLD_EXPIRED', 'The hold has expired; the seats were released');
    return conflict('INVALID_STATE', `The reservation is ${status}`);
  }

  async function runUpdate<T>(reservation: ReservationBody, run: () => Promise<T>): Promise<T> {
    try {
      return await temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, run);
    } catch (err) {
      const mapped = updateFailureToApiError(err);
      if (mapped === 'closed') {
        const now = await loadReservationBody(knex, reservation.id);
        throw closedWorkflowError(now?.status ?? reservation.status);
      }
      if (mapped) throw mapped;
      throw err;
    }
  }

  router.post('/', async (ctx) => {
    const user = currentUser(ctx.state);
    const rawKey = ctx.get('idempotency-key');
    const idempotencyKey = rawKey ? parse(IdempotencyKey, rawKey, 'header') : undefined;
    const body = parseBody(ctx, CreateReservationBody);
    const { reservation, replayed } = await createHold(deps, user, body, idempotencyKey);
    ctx.state.reservationId = reservation.id;
    ctx.state.workflowId = reservation.workflow_id;
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    else ctx.state.reservationOutcome = 'held';
    ctx.set('Location', `/api/v1/reservations/${reservation.id}`);
    ctx.status = 201;
    ctx.body = reservation;
  });

  router.get('/', async (ctx) => {
    const user = currentUser(ctx.state);
    const q = parseQuery(ctx, ListReservationsQuery);
    const query = knex('reservations').where((b) => {
      if (!seesAll(user)) b.where('user_id', user.id);
      else if (q.user_id) b.where('user_id', q.user_id);
      if (q.status) b.where('status', q.status);
      if (q.showtime_id) b.where('showtime_id', q.showtime_id);
    });
    const [rows, [{ count }]] = await Promise.all([
      query.clone().orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).limit(q.page_size).offset(offsetOf(q)).select<ReservationRow[]>(RESERVATION_COLUMNS),
      query.clone().count<{ count: number }[]>({ count: '*' }),
    ]);
    const seats = await seatsByReservation(knex, rows.map((r) => r.id));
    ctx.body = pageOf(rows.map((r) => serializeReservation(r, seats.get(r.id) ?? [])), q, Number(count));
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await visibleReservation(ctx);
  });

  router.post('/:id/confirm', async (ctx) => {
    const reservation = await visibleReservation(ctx);
    const { payment_method } = parseBody(ctx, ConfirmReservationBody);
    if (reservation.user_id !== currentUser(ctx.state).id) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    const handle = temporal.workflow.getHandle(reservation.workflow_id);
    let result: ConfirmResult;
    try {
      if (reservation.status !== 'held') throw closedWorkflowError(reservation.status);
      result = await runUpdate(reservation, () => handle.executeUpdate(confirmUpdate, { args: [{ payment_method }] }));
    } catch (err) {
      throw await afterShowStart(knex, reservation.showtime_id, err);
    }
    ctx.status = result.status === 'confirmed' ? 200 : 202;
    ctx.state.reservationOutcome = result.status;
    ctx.body = await loadReservationBody(knex, reservation.id);
  });

  router.post('/:id/cancel', async (ctx) => {
    const reservation = await visibleReservation(ctx);
    const user = currentUser(ctx.state);
    const body = parseBody(ctx, CancelReservationBody);
    const own = reservation.user_id === user.id;
    if (!own && user.role !== 'admin') throw new ApiError(403, 'FORBIDDEN', 'Only the owner or an admin can cancel this reservation');
    if (!['held', 'confirmed', 'pending_payment'].includes(reservation.status)) throw closedWorkflowError(reservation.status);
    const request: CancelInput = { reason: body.reason, requested_by: own ? 'user' : 'admin' };
    const handle = temporal.workflow.getHandle(reservation.workflow_id);
    await runUpdate(reservation, () => handle.executeUpdate(cancelUpdate, { args: [request] }));
    ctx.state.reservationOutcome = 'cancelled';
    ctx.body = await loadReservationBody(knex, reservation.id);
  });

  return router;
}
