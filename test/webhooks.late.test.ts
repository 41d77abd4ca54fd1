import { FakePaymentProvider } from '../src/payments/FakePaymentProvider';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, eventually, refundTotal, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { paymentEvent, postWebhook } from './helpers/webhooks';

describe('money that arrives for a booking that is gone goes back', () => {
  // The provider answers 5 s after the charge (its webhook then, by the fake's sender); the hold lasts 2 s.
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '2', FAKE_PAYMENT_WEBHOOK_DELAY_MS: '5000' } });

  it('a success delivered after the hold expired takes the seats back while they are free', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    const pending = await api.post(`/reservations/${held.body.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
    expect(pending.status).toBe(202);
    await waitForStatus(api, user.token, held.body.id, 'expired', 10_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);

    await waitForStatus(api, user.token, held.body.id, 'confirmed', 15_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[0].id]);
    expect(await refundTotal(stack.knex, held.body.id)).toEqual({ count: 0, cents: 0 });
    const payment = await stack.knex('payments').where({ provider_payment_id: pending.body.payment_id }).first();
    expect(payment).toMatchObject({ status: 'succeeded', refunded_amount: '0.00' });
    await api.post(`/reservations/${held.body.id}/cancel`, undefined, { token: user.token });
  });

  it('a success delivered after the hold expired is refunded, and does not resurrect the booking, once a seat was taken', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    const pending = await api.post(`/reservations/${held.body.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
    expect(pending.status).toBe(202);
    await waitForStatus(api, user.token, held.body.id, 'expired', 10_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    const other = await createUser(stack.knex, stack.config.jwtSecret);
    // Booked by someone else (a hold of theirs would expire before the webhook comes).
    const theirs = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: other.token });
    expect((await api.post(`/reservations/${theirs.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: other.token })).status).toBe(200);

    const refund = await eventually(async () => {
      const r = await refundTotal(stack.knex, held.body.id);
      return r.count > 0 ? r : undefined;
    }, 15_000);
    expect(refund).toEqual({ count: 1, cents: 1000 });
    const after = await api.get(`/reservations/${held.body.id}`, { token: user.token });
    expect(after.body).toMatchObject({ status: 'expired', refund_amount: '10.00' });
    expect(await stack.client.workflow.getHandle(held.body.workflow_id).result()).toBe('expired');
    const payment = await stack.knex('payments').where({ provider_payment_id: pending.body.payment_id }).first();
    expect(payment).toMatchObject({ status: 'refunded', refunded_amount: '10.00' });
  });

  it('a success for a reservation whose workflow has ended is refunded once by its own workflow', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    await api.post(`/reservations/${held.body.id}/cancel`, undefined, { token: user.token });
    await stack.client.workflow.getHandle(held.body.workflow_id).result();
    // A charge we made for it that the provider completed anyway (say, a payment link paid much
    // later): on record in our payments, as every charge we make is.
    const charge = await new FakePaymentProvider(stack.knex).charge({
      amount: '10.00',
      currency: 'eur',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: `late-${held.body.id}`,
      metadata: { reservation_id: held.body.id },
    });
    await stack.knex('payments').insert({
      reservation_id: held.body.id,
      provider: 'fake',
      provider_payment_id: charge.paymentId,
      idempotency_key: `late-${held.body.id}`,
      payment_method: 'pm_card_visa',
      amount: '10.00',
      status: 'succeeded',
    });
    const event = paymentEvent({ id: `evt_late_${held.body.id}`, type: 'payment_intent.succeeded', paymentId: charge.paymentId, reservationId: held.body.id });
    const res = await postWebhook(api, event, stack.config.paymentWebhookSecret);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('refunding_late_payment');
    await stack.client.workflow.getHandle(`refund-${charge.paymentId}`).result();
    expect(await refundTotal(stack.knex, held.body.id)).toEqual({ count: 1, cents: 1000 });
    expect((await postWebhook(api, event, stack.config.paymentWebhookSecret)).body.outcome).toBe('duplicate');
    expect((await api.get(`/reservations/${held.body.id}`, { token: user.token })).body.status).toBe('cancelled');
  });
});
