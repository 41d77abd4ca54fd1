import { stateQuery } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { chargeCount, eventually, refundTotal, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { metricSample, paymentEvent, postWebhook } from './helpers/webhooks';

// Issue 23, payments 1 and 4: a signed event is bound to the payment we made by its id; the
// reservation, amount and currency must agree, or it is rejected, visibly, and changes nothing.
describe('payment events must match the payment we made', () => {
  const { stack, api } = useTestStack();
  let secret: string;
  beforeAll(() => {
    secret = stack.config.paymentWebhookSecret;
  });

  async function hold() {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(res.status).toBe(201);
    return { user, reservation: res.body as { id: string; workflow_id: string } };
  }
  /** A pending payment whose webhook the stack's dispatcher will not send (it is not due). */
  async function pending() {
    const { user, reservation } = await hold();
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
    expect(res.status).toBe(202);
    await stack.knex('fake_provider_charges').where({ id: res.body.payment_id }).update({ webhook_next_at: stack.knex.raw(`now() + interval '1 hour'`) });
    return { user, reservation, paymentId: res.body.payment_id as string };
  }
  const recorded = (eventId: string) => stack.knex('processed_webhook_events').where({ event_id: eventId }).first('outcome', 'rejection_reason', 'payment_id');
  const rejectedCount = async () => metricSample((await api.get('/metrics')).body as string, 'booking_payment_events_total', { outcome: 'rejected' }) ?? 0;
  const settle = () => new Promise((r) => setTimeout(r, 500));

  it("an event naming reservation X with Y's payment id is rejected: Y is not refunded and stays confirmed", async () => {
    const y = await hold();
    const paid = await api.post(`/reservations/${y.reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: y.user.token });
    expect(paid.status).toBe(200);
    const x = await hold();
    const before = await rejectedCount();

    const event = paymentEvent({ id: `evt_cross_${x.reservation.id}`, type: 'payment_intent.succeeded', paymentId: paid.body.payment_id, reservationId: x.reservation.id });
    const res = await postWebhook(api, event, secret);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, event_id: event.id, outcome: 'rejected' });
    expect(await recorded(event.id)).toEqual({ outcome: 'rejected', rejection_reason: 'reservation_mismatch', payment_id: paid.body.payment_id });
    expect(await rejectedCount()).toBe(before + 1);

    const handle = stack.client.workflow.getHandle(x.reservation.workflow_id);
    await eventually(async () => (await handle.query(stateQuery)).rejected_payment_events.length > 0);
    expect((await handle.query(stateQuery)).rejected_payment_events).toEqual([
      { event_id: event.id, payment_id: paid.body.payment_id, reason: 'reservation_mismatch' },
    ]);
    await settle();
    expect(await refundTotal(stack.knex, y.reservation.id)).toEqual({ count: 0, cents: 0 });
    expect((await api.get(`/reservations/${y.reservation.id}`, { token: y.user.token })).body.status).toBe('confirmed');
    expect((await api.get(`/reservations/${x.reservation.id}`, { token: x.user.token })).body.status).toBe('held');
    // A redelivery is a duplicate: the rejection is recorded once.
    expect((await postWebhook(api, event, secret)).body.outcome).toBe('duplicate');
    expect(await rejectedCount()).toBe(before + 1);
  });

  it('a success whose amount or currency differs from the charge is rejected; the matching one confirms', async () => {
    const { user, reservation, paymentId } = await pending();
    const base = { type: 'payment_intent.succeeded', paymentId, reservationId: reservation.id };
    const cases = [
      { id: `evt_amount_${reservation.id}`, amountCents: 999, reason: 'amount_mismatch' },
      { id: `evt_currency_${reservation.id}`, amountCents: 1000, currency: 'usd', reason: 'currency_mismatch' },
    ];
    for (const c of cases) {
      const res = await postWebhook(api, paymentEvent({ ...base, id: c.id, amountCents: c.amountCents, currency: c.currency }), secret);
      expect(res.body.outcome).toBe('rejected');
      expect(await recorded(c.id)).toMatchObject({ outcome: 'rejected', rejection_reason: c.reason });
    }
    const noAmount = paymentEvent({ ...base, id: `evt_noamount_${reservation.id}` });
    delete (noAmount.data.object as { amount?: number }).amount;
    expect((await postWebhook(api, noAmount, secret)).body.outcome).toBe('rejected');
    await settle();
    expect((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body.status).toBe('pending_payment');

    const good = await postWebhook(api, paymentEvent({ ...base, id: `evt_good_${reservation.id}`, currency: 'EUR' }), secret);
    expect(good.body.outcome).toBe('applied');
    await waitForStatus(api, user.token, reservation.id, 'confirmed');
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
  });

  it('a NUL in an id or the failure message is refused with 400 and changes nothing', async () => {
    const { user, reservation, paymentId } = await pending();
    const nul = String.fromCharCode(0);
    const bodies = [
      paymentEvent({ id: `evt_nul${nul}_${reservation.id}`, type: 'payment_intent.succeeded', paymentId, reservationId: reservation.id }),
      paymentEvent({ id: `evt_nulpi_${reservation.id}`, type: 'payment_intent.succeeded', paymentId: `${paymentId}${nul}`, reservationId: reservation.id }),
      paymentEvent({ id: `evt_nulres_${reservation.id}`, type: 'payment_intent.succeeded', paymentId, reservationId: `${reservation.id}${nul}` }),
      paymentEvent({ id: `evt_nulmsg_${reservation.id}`, type: 'payment_intent.payment_failed', paymentId, reservationId: reservation.id, failureMessage: `declined${nul}` }),
    ];
    for (const body of bodies) {
      const res = await postWebhook(api, body, secret);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_EVENT', detail: expect.any(String) });
    }
    expect(await stack.knex('processed_webhook_events').whereLike('event_id', `%${reservation.id}`).count({ c: '*' })).toEqual([{ c: 0 }]);
    await settle();
    expect((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body.status).toBe('pending_payment');
  });
});

