import Router from '@koa/router';
import { randomUUID } from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import type { Context } from 'koa';
import { cancelUpdate, confirmUpdate, extendUpdate, type CancelInput, type ConfirmResult, type RowSeen } from '../../../workflows/shared';
import { OPEN_STATUSES } from '../../../workflows/statuses';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth, type AuthUser } from '../../http/auth';
import { ApiError, conflict, notFound } from '../../http/errors';
import { UuidParams } from '../../http/ids';
import { windowOf, pageOf } from '../../http/pagination';
import { parse, parseBody, parseQuery } from '../../http/validate';
import { createHold } from '../../reservations/createHold';
import { listReservations, loadReservationBody, loadReservationSeen } from '../../reservations/reservations';
import type { ReservationBody } from '../../reservations/serialize';
import { deliverUpdate, type UpdateDelivery } from '../../reservations/deliverUpdate';
import { idempotentUpdateId } from '../../reservations/idempotency';
import { afterShowStart } from '../../reservations/showtimeStarted';
import { updateFailureToApiError } from '../../reservations/workflowErrors';
import { CancelReservationBody, ConfirmReservationBody, CreateReservationBody, IdempotencyKey, ListReservationsQuery } from './schema';

/** How long a confirm or cancel may wait on its workflow before the API answers 503. */
const UPDATE_DEADLINE_MS = 30_000;

/** The optional Idempotency-Key header, checked. */
const idempotencyKeyOf = (ctx: Context): string | undefined => {
  const raw = ctx.get('idempotency-key');
  return raw ? parse(IdempotencyKey, raw, 'header') : undefined;
};

const seesAll = (user: AuthUser) => user.role === 'admin' || user.role === 'staff';

export function reservationsRouter(deps: AppDeps): Router {
  const { knex, temporal, config } = deps;
  const router = new Router({ prefix: '/reservations' });
  router.use(requireAuth(config.jwtSecret));

  /**
   * A reservation the caller may see; another user's is "not found", never "forbidden". With what
   * the read saw for its workflow (RowSeen): a confirm, cancel or extend carries it, so the
   * workflow knows the hold committed without asking Postgres again.
   */
  async function visibleReservation(ctx: Context): Promise<{ reservation: ReservationBody; rowSeen: RowSeen }> {
    // A malformed id names no reservation: "not found", like any other missing one.
    const params = UuidParams.safeParse((ctx as Context & { params?: unknown }).params);
    if (!params.success) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    const user = currentUser(ctx.state);
    const seen = await loadReservationSeen(knex, params.data.id);
    if (!seen || (seen.body.user_id !== user.id && !seesAll(user))) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    ctx.state.reservationId = seen.body.id;
    ctx.state.workflowId = seen.body.workflow_id;
    return { reservation: seen.body, rowSeen: seen.rowSeen };
  }

  /** Answers a closed workflow's confirm/cancel from the status it left behind. */
  function closedWorkflowError(status: ReservationBody['status']): ApiError {
    if (status === 'expired') return conflict('HOLD_EXPIRED', 'The hold has expired; the seats were released');
    return conflict('INVALID_STATE', `The reservation is ${status}`);
  }

  /**
   * Runs confirm or cancel as an Update and answers with its outcome. The Update id comes from
   * the caller's Idempotency-Key when there is one, so a retried request attaches to the same
   * Update and gets the same answer, even after the workflow has closed.
   */
  async function runUpdate<Ret, Arg>(
    ctx: Context,
    reservation: ReservationBody,
    def: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
  ): Promise<UpdateDelivery<Ret>> {
    const idempotencyKey = idempotencyKeyOf(ctx);
    const updateId = idempotencyKey ? idempotentUpdateId(def.name, currentUser(ctx.state).id, idempotencyKey) : `${def.name}-${randomUUID()}`;
    try {
      return await deliverUpdate(temporal, reservation.workflow_id, def, [arg], updateId, Date.now() + UPDATE_DEADLINE_MS);
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

  /**
   * The reservation as it stands after an Update that ran. The Update's result is the answer
   * and stands even when Postgres cannot be read right now: then the last read is patched with it.
   */
  async function afterUpdate(reservation: ReservationBody, patch: Partial<ReservationBody>): Promise<ReservationBody> {
    const fresh = await loadReservationBody(knex, reservation.id).catch(() => null);
    return fresh && fresh.status === patch.status ? fresh : { ...reservation, ...patch };
  }

  /**
   * The booking as a read after the confirm would show it, built from the read before it and the
   * Update's result, without a second trip to Postgres. Only for a hold this request found held,
   * whose workflow reported the row's `updated_at` and the hold's expiry: the confirm writes
   * nothing else (status, payment, error cleared, confirmed_at), and an extension since the first
   * read moved only the expiry. Otherwise (an idempotent retry, an older workflow) null: read it.
   */
  function confirmedRow(reservation: ReservationBody, result: ConfirmResult): ReservationBody | null {
    if (reservation.status !== 'held' || result.status !== 'confirmed' || !result.updated_at || !result.expires_at) return null;
    return {
      ...reservation,
      status: 'confirmed',
      payment_id: result.payment_id,
      payment_error: null,
      confirmed_at: result.confirmed_at,
      expires_at: result.expires_at,
      updated_at: result.updated_at,
    };
  }

  /**
   * An Update whose result is not known yet: accepted but late, or sent while Temporal was failing
   * (it may still be delivered). 202 says exactly that: taken for processing, outcome to be read.
   */
  function outcomePending(ctx: Context, reservation: ReservationBody): void {
    ctx.status = 202;
    ctx.set('Retry-After', '2');
    ctx.set('Location', `/api/v1/reservations/${reservation.id}`);
    ctx.body = reservation;
  }

  router.post('/', async (ctx) => {
    const user = currentUser(ctx.state);
    const idempotencyKey = idempotencyKeyOf(ctx);
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
    // Users see only their own; admin and staff everyone's, or one user's.
    const userId = seesAll(user) ? q.user_id : user.id;
    const { reservations, total } = await listReservations(knex, { user_id: userId, status: q.status, showtime_id: q.showtime_id, ...windowOf(q) });
    ctx.body = pageOf(reservations, q, total);
  });

  router.get('/:id', async (ctx) => {
    ctx.body = (await visibleReservation(ctx)).reservation;
  });

  router.post('/:id/confirm', async (ctx) => {
    const { reservation, rowSeen } = await visibleReservation(ctx);
    const { payment_method } = parseBody(ctx, ConfirmReservationBody);
    if (reservation.user_id !== currentUser(ctx.state).id) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    // A retry under an Idempotency-Key must reach its Update even though the status moved on.
    let delivery: UpdateDelivery<ConfirmResult>;
    try {
      if (reservation.status !== 'held' && !idempotencyKeyOf(ctx)) throw closedWorkflowError(reservation.status);
      delivery = await runUpdate(ctx, reservation, confirmUpdate, { payment_method, row_seen: rowSeen });
    } catch (err) {
      throw await afterShowStart(knex, reservation.showtime_id, err);
    }
    if (delivery.kind !== 'completed') return outcomePending(ctx, reservation);
    const result = delivery.result;
    ctx.status = result.status === 'confirmed' ? 200 : 202;
    ctx.state.reservationOutcome = result.status;
    const known = confirmedRow(reservation, result);
    if (known) {
      ctx.body = known;
      return;
    }
    ctx.body = await afterUpdate(reservation, {
      status: result.status,
      payment_id: result.payment_id,
      payment_error: null,
      ...(result.status === 'confirmed' ? { confirmed_at: result.confirmed_at } : {}),
    });
  });

  router.post('/:id/cancel', async (ctx) => {
    const { reservation, rowSeen } = await visibleReservation(ctx);
    const user = currentUser(ctx.state);
    const body = parseBody(ctx, CancelReservationBody);
    const own = reservation.user_id === user.id;
    if (!own && user.role !== 'admin') throw new ApiError(403, 'FORBIDDEN', 'Only the owner or an admin can cancel this reservation');
    if (!(OPEN_STATUSES as readonly string[]).includes(reservation.status) && !idempotencyKeyOf(ctx)) {
      throw closedWorkflowError(reservation.status);
    }
    const request: CancelInput = { reason: body.reason, requested_by: own ? 'user' : 'admin', row_seen: rowSeen };
    const delivery = await runUpdate(ctx, reservation, cancelUpdate, request);
    if (delivery.kind !== 'completed') return outcomePending(ctx, reservation);
    ctx.state.reservationOutcome = 'cancelled';
    ctx.body = await afterUpdate(reservation, {
      status: delivery.result.status,
      refund_amount: delivery.result.refund_amount,
      cancelled_at: delivery.result.cancelled_at,
    });
  });

  router.post('/:id/extend', async (ctx) => {
    const { reservation, rowSeen } = await visibleReservation(ctx);
    // The owner's, like a confirm: it keeps seats from other buyers for longer.
    if (reservation.user_id !== currentUser(ctx.state).id) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    if (reservation.status !== 'held' && !idempotencyKeyOf(ctx)) throw closedWorkflowError(reservation.status);
    const delivery = await runUpdate(ctx, reservation, extendUpdate, {
      extend_by_seconds: config.holdTtlSeconds,
      max_extensions: config.holdMaxExtensions,
      row_seen: rowSeen,
    });
    if (delivery.kind !== 'completed') return outcomePending(ctx, reservation);
    const fresh = await loadReservationBody(knex, reservation.id).catch(() => null);
    // The workflow wrote the new expiry before it answered; the answer stands if the read fails.
    ctx.body = fresh && fresh.status === 'held' ? { ...fresh, expires_at: delivery.result.expires_at } : { ...reservation, status: 'held', expires_at: delivery.result.expires_at };
  });

  return router;
}
