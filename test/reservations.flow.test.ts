import { searchAttributes, stateQuery, paymentSignal, cancelSignal } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, chargeCount, refundTotal, waitForStatus, eventually, holdOnNewShowtime } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { recordHistory } from './helpers/histories';

describe('reservation lifecycle over HTTP on the real dev server and Postgres', () => {
  // Payment outcomes are signalled by the tests themselves here; webhooks.test.ts delivers them for real.
  const { stack, api } = useTestStack({ webhooks: false, env: { HOLD_TTL_SECONDS: '600', CANCELLATION_CUTOFF_MINUTES: '60' } });

  /** A regular seat (A1) and a premium one (P1), or only A1. */
  const hold = (opts: { seats?: number; basePrice?: string; startsInMinutes?: number } = {}) =>
    holdOnNewShowtime(stack, api, {
      showtime: {
        basePrice: opts.basePrice ?? '10.00',
        startsInMinutes: opts.startsInMinutes,
        rows: [{ row: 'A', seats: 5 }, { row: 'P', seats: 5, seat_type: 'premium', price_modifier: '2.50' }],
      },
      seats: (show) => [show.seats[0].id, show.seats[5].id].slice(0, opts.seats ?? 2),
    });

  it('holds seats: 201 with expiry, prices, seats and the workflow id; the workflow owns the hold', async () => {
    const { show, seatIds, reservation, user } = await hold();
    expect(reservation).toMatchObject({
      status: 'held',
      showtime_id: show.id,
      total_price: '22.50',
      workflow_id: `reservation-${reservation.id}`,
      seats: [
        { seat_id: seatIds[0], label: 'A1', price: '10.00' },
        { seat_id: seatIds[1], label: 'P1', price: '12.50' },
      ],
    });
    const ttl = Date.parse(reservation.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual(seatIds);

    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.status === 'held' ? s : undefined;
    });
    expect(state).toMatchObject({ reservation_id: reservation.id, total_price: '22.50', hold_expires_at: reservation.expires_at });
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributes.ShowtimeId)).toBe(show.id);
    expect(description.typedSearchAttributes.get(searchAttributes.UserId)).toBe(user.id);
    expect(description.typedSearchAttributes.get(searchAttributes.ReservationStatus)).toBe('held');
    expect(description.memo).toMatchObject({ user_id: user.id, movie_title: show.movie.title, seats: 'A1, P1' });
    expect(JSON.stringify(description.memo)).not.toContain(user.email);

    const got = await api.get(`/reservations/${reservation.id}`, { token: user.token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: reservation.id, status: 'held' });
  });

  it('confirms with a card: 200 confirmed, one charge, search attribute updated', async () => {
    const { user, reservation } = await hold();
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'confirmed', payment_id: expect.stringMatching(/^pi_fake_/) });
    expect(Date.parse(res.body.confirmed_at)).toBeGreaterThan(0);
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    const description = await stack.client.workflow.getHandle(reservation.workflow_id).describe();
    expect(description.typedSearchAttributes.get(searchAttributes.ReservationStatus)).toBe('confirmed');
    const again = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_STATE');
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
  });

  it('a declined card answers 402 and keeps the hold; a second card then succeeds', async () => {
    const { user, reservation, show, seatIds } = await hold();
    const declined = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_declined' }, { token: user.token });
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ code: 'PAYMENT_DECLINED', detail: expect.any(String) });
    const after = await api.get(`/reservations/${reservation.id}`, { token: user.token });
    expect(after.body).toMatchObject({ status: 'held', expires_at: reservation.expires_at, payment_error: expect.any(String) });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual(seatIds);

    const ok = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('confirmed');
    expect(await chargeCount(stack.knex, reservation.id, 'declined')).toBe(1);
    expect(await chargeCount(stack.knex, reservation.id, 'succeeded')).toBe(1);
    await recordHistory(stack.client.workflow.getHandle(reservation.workflow_id), 'declined-then-confirmed');
  });

  it('an asynchronous payment answers 202 pending_payment and confirms on the provider signal', async () => {
    const { user, reservation } = await hold();
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending_payment');
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    await handle.signal(paymentSignal, { event_id: `evt_${reservation.id}`, type: 'payment_intent.succeeded', payment_id: res.body.payment_id });
    const confirmed = await waitForStatus(api, user.token, reservation.id, 'confirmed');
    expect(confirmed.payment_id).toBe(res.body.payment_id);
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    await recordHistory(handle, 'async-payment-confirmed');
  });

  it('an asynchronous payment that fails puts the reservation back on hold', async () => {
    const { user, reservation } = await hold();
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_async_fail' }, { token: user.token });
    expect(res.status).toBe(202);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    await handle.signal(paymentSignal, {
      event_id: `evt_fail_${reservation.id}`,
      type: 'payment_intent.payment_failed',
      payment_id: res.body.payment_id,
      failure_reason: 'insufficient funds',
    });
    const held = await waitForStatus(api, user.token, reservation.id, 'held');
    expect(held.payment_error).toBe('insufficient funds');
    const ok = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(ok.status).toBe(200);
    await recordHistory(handle, 'async-payment-failed-then-confirmed');
  });

  it('cancels a hold: 200 cancelled, refund 0.00, seats free at once', async () => {
    const { user, reservation, show } = await hold();
    const res = await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', refund_amount: '0.00' });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    const again = await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_STATE');
    await expect(stack.client.workflow.getHandle(reservation.workflow_id).result()).resolves.toBe('cancelled');
    await recordHistory(stack.client.workflow.getHandle(reservation.workflow_id), 'hold-cancelled');
  });

  it('cancels a confirmed booking before the cutoff with a full refund', async () => {
    const { user, reservation, show } = await hold();
    await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    const res = await api.post(`/reservations/${reservation.id}/cancel`, { reason: 'plans changed' }, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', refund_amount: '22.50', cancel_reason: 'plans changed' });
    expect(await refundTotal(stack.knex, reservation.id)).toEqual({ count: 1, cents: 2250 });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    await recordHistory(stack.client.workflow.getHandle(reservation.workflow_id), 'confirmed-then-cancelled-with-refund');
  });

  it('refuses to cancel a confirmed booking after the cancellation cutoff', async () => {
    const { user, reservation, show, seatIds } = await hold({ startsInMinutes: 30 });
    await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    const res = await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INVALID_STATE', detail: expect.stringContaining('60 minutes') });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual(seatIds);
    expect(await refundTotal(stack.knex, reservation.id)).toEqual({ count: 0, cents: 0 });
  });

  it('an operator cancels by plain signal, as from the Web UI, with a recorded reason', async () => {
    const { user, reservation, show } = await hold();
    await stack.client.workflow.getHandle(reservation.workflow_id).signal(cancelSignal, { reason: 'customer called the box office' });
    const cancelled = await waitForStatus(api, user.token, reservation.id, 'cancelled');
    expect(cancelled).toMatchObject({ refund_amount: '0.00', cancel_reason: 'customer called the box office' });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    await recordHistory(stack.client.workflow.getHandle(reservation.workflow_id), 'operator-cancel-signal');
  });

  it('another user gets 404 for a reservation that is not theirs; admin and staff see it', async () => {
    const { reservation } = await hold();
    const other = await createUser(stack.knex, stack.config.jwtSecret);
    for (const [method, path] of [
      ['GET', `/reservations/${reservation.id}`],
      ['POST', `/reservations/${reservation.id}/confirm`],
      ['POST', `/reservations/${reservation.id}/cancel`],
    ] as const) {
      const res = await api.request(method, path, method === 'POST' ? { payment_method: 'pm_card_visa' } : undefined, { token: other.token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('RESERVATION_NOT_FOUND');
    }
    const list = await api.get(`/reservations?showtime_id=${reservation.showtime_id}`, { token: other.token });
    expect(list.body).toMatchObject({ items: [], total: 0 });
    for (const role of ['admin', 'staff'] as const) {
      const boss = await createUser(stack.knex, stack.config.jwtSecret, role);
      const res = await api.get(`/reservations/${reservation.id}`, { token: boss.token });
      expect(res.status).toBe(200);
    }
    expect((await api.get(`/reservations/${reservation.id}`)).status).toBe(401);
    expect(await chargeCount(stack.knex, reservation.id)).toBe(0);
  });

  it('lists the caller\'s reservations with filters and pagination', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const ids: string[] = [];
    for (const seat of show.seats.slice(0, 3)) {
      const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [seat.id] }, { token: user.token });
      ids.push(res.body.id);
    }
    await api.post(`/reservations/${ids[0]}/cancel`, undefined, { token: user.token });
    const page1 = await api.get('/reservations?page=1&page_size=2', { token: user.token });
    expect(page1.body).toMatchObject({ page: 1, page_size: 2, total: 3 });
    expect(page1.body.items).toHaveLength(2);
    const page2 = await api.get('/reservations?page=2&page_size=2', { token: user.token });
    expect(page2.body.items).toHaveLength(1);
    const held = await api.get(`/reservations?status=held&showtime_id=${show.id}`, { token: user.token });
    expect(held.body.total).toBe(2);
    const admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
    const byUser = await api.get(`/reservations?user_id=${user.id}`, { token: admin.token });
    expect(byUser.body.total).toBe(3);
    const bad = await api.get('/reservations?status=bogus&page_size=500', { token: user.token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['page_size', 'status']);
  });
});
