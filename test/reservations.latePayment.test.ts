import { stateQuery } from '../workflows/shared';
import { createUser } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { activeSeatIds, eventually, holdOnNewShowtime, holdSeats, refundTotal, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { paymentEvent, postWebhook } from './helpers/webhooks';

/**
 * A pending payment and its hold's expiry, end to end: the provider asked before the expiry, and
 * a success that arrives after it. No webhook sender runs: the tests post the provider's events
 * themselves, when they choose; the fake provider's verdict is due a long time after each charge
 * unless a test brings it forward.
 */
describe('a pending payment when its hold expires', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '2', FAKE_PAYMENT_WEBHOOK_DELAY_MS: '600000' }, webhooks: false });

  /** A two-seat hold (20.00) whose payment is pending. */
  async function pendingHold() {
    const held = await holdOnNewShowtime(stack, api, { seats: (show) => [show.seats[0].id, show.seats[1].id] });
    const pending = await api.post(`/reservations/${held.reservation.id}/confirm`, { payment_method: 'pm_card_async' }, { token: held.user.token });
    expect(pending.status).toBe(202);
    return { ...held, paymentId: pending.body.payment_id as string };
  }
  const succeeded = (reservationId: string, paymentId: string) =>
    paymentEvent({ id: `evt_late_${reservationId}`, type: 'payment_intent.succeeded', paymentId, reservationId, amountCents: 2000 });
  /** The provider has decided, but its webhook has not got through. */
  const settleAtProvider = (paymentId: string) =>
    stack.knex('fake_provider_charges').where({ id: paymentId }).update({ webhook_next_at: stack.knex.raw(`now() - interval '1 second'`) });

  it('a late success retakes the same seats while all are free, and confirms with tickets', async () => {
    const { user, show, seatIds, reservation, paymentId } = await pendingHold();
    await waitForStatus(api, user.token, reservation.id, 'expired', 10_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);

    const res = await postWebhook(api, succeeded(reservation.id, paymentId), stack.config.paymentWebhookSecret);
    expect(res.body.outcome).toBe('applied');
    const confirmed = await waitForStatus(api, user.token, reservation.id, 'confirmed', 15_000);
    expect(confirmed).toMatchObject({ payment_id: paymentId, expired_at: null, refund_amount: null });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual(seatIds);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    const state = await handle.query(stateQuery);
    expect(state).toMatchObject({ status: 'confirmed' });
    expect(state.tickets_issued).toHaveLength(2);
    expect(await stack.knex('tickets').where({ reservation_id: reservation.id, status: 'issued' }).pluck('seat_id')).toEqual(seatIds);
    expect(await stack.knex('payments').where({ provider_payment_id: paymentId }).first('status')).toEqual({ status: 'succeeded' });
    expect(await refundTotal(stack.knex, reservation.id)).toEqual({ count: 0, cents: 0 });
    await recordHistory(handle, 'late-payment-retook-seats');
    // A booking like any other: the owner may cancel it, for a full refund.
    const cancel = await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token });
    expect(cancel.body).toMatchObject({ status: 'cancelled', refund_amount: '20.00' });
  });

  it('with one of its seats taken meanwhile, it is refunded and stays expired with refund_amount', async () => {
    const { user, show, seatIds, reservation, paymentId } = await pendingHold();
    await waitForStatus(api, user.token, reservation.id, 'expired', 10_000);
    const other = await createUser(stack.knex, stack.config.jwtSecret);
    const taken = await holdSeats(api, other.token, show.id, [seatIds[1]]);
    // Booked, so it cannot expire before the late success comes.
    expect((await api.post(`/reservations/${taken.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: other.token })).status).toBe(200);

    await postWebhook(api, succeeded(reservation.id, paymentId), stack.config.paymentWebhookSecret);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    expect(await handle.result()).toBe('expired');
    const after = await api.get(`/reservations/${reservation.id}`, { token: user.token });
    expect(after.body).toMatchObject({ status: 'expired', refund_amount: '20.00', confirmed_at: null });
    const refund = await eventually(async () => {
      const r = await refundTotal(stack.knex, reservation.id);
      return r.count > 0 && r;
    }, 15_000);
    expect(refund).toEqual({ count: 1, cents: 2000 });
    // The other buyer keeps the seat; the free one was not taken back either.
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([seatIds[1]]);
    expect((await api.get(`/reservations/${taken.id}`, { token: other.token })).body.status).toBe('confirmed');
    await recordHistory(handle, 'late-payment-refunded-seat-taken');
  });

  it('asks the provider before expiring: a success its webhook has not delivered confirms the booking', async () => {
    const { user, seatIds, show, reservation, paymentId } = await pendingHold();
    await settleAtProvider(paymentId);
    const confirmed = await waitForStatus(api, user.token, reservation.id, 'confirmed', 15_000);
    expect(confirmed).toMatchObject({ payment_id: paymentId, expired_at: null });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual(seatIds);
    expect(await stack.knex('payments').where({ provider_payment_id: paymentId }).first('status')).toEqual({ status: 'succeeded' });
    await recordHistory(stack.client.workflow.getHandle(reservation.workflow_id), 'ask-provider-before-expiry-confirmed');
    // The webhook, when it does come, changes nothing.
    expect((await postWebhook(api, succeeded(reservation.id, paymentId), stack.config.paymentWebhookSecret)).body.outcome).toBe('applied');
    expect((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body.status).toBe('confirmed');
    expect(await refundTotal(stack.knex, reservation.id)).toEqual({ count: 0, cents: 0 });
  });

  it('asks the provider before expiring: a failure expires the hold with no late-payment window', async () => {
    const held = await holdOnNewShowtime(stack, api);
    const pending = await api.post(`/reservations/${held.reservation.id}/confirm`, { payment_method: 'pm_card_async_fail' }, { token: held.user.token });
    expect(pending.status).toBe(202);
    await settleAtProvider(pending.body.payment_id);
    // The window is 24 hours: ending now shows the workflow knew the verdict.
    expect(await stack.client.workflow.getHandle(held.reservation.workflow_id).result()).toBe('expired');
    expect(await stack.knex('payments').where({ provider_payment_id: pending.body.payment_id }).first('status', 'failure_reason')).toEqual({
      status: 'failed',
      failure_reason: 'Your card has insufficient funds.',
    });
  });
});
