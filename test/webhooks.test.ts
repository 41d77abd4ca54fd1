import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeWebhookDispatcher } from '../src/payments/FakeWebhookDispatcher';
import { signWebhookPayload } from '../src/payments/webhookSignature';
import { createShowtime, createUser } from './helpers/factories';
import { chargeCount, eventually, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { paymentEvent, postWebhook } from './helpers/webhooks';

describe('payment webhooks drive the reservation workflows', () => {
  let secret: string;
  const { stack, api } = useTestStack();
  beforeAll(async () => {
    secret = stack.config.paymentWebhookSecret;
  });

  async function pendingPayment(paymentMethod: 'pm_card_async' | 'pm_card_async_fail') {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    const res = await api.post(`/reservations/${held.body.id}/confirm`, { payment_method: paymentMethod }, { token: user.token });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending_payment');
    return { user, reservation: res.body };
  }
  const processedEvents = async (reservationId: string) =>
    stack.knex('processed_webhook_events').where({ reservation_id: reservationId }).orderBy('created_at').pluck('event_id');

  it('pm_card_async: the provider delivers a signed payment_intent.succeeded over HTTP and the booking is confirmed', async () => {
    const { user, reservation } = await pendingPayment('pm_card_async');
    const confirmed = await waitForStatus(api, user.token, reservation.id, 'confirmed');
    expect(confirmed.payment_id).toBe(reservation.payment_id);
    expect(await processedEvents(reservation.id)).toEqual([`evt_${reservation.payment_id}`]);
    const charge = await stack.knex('fake_provider_charges').where({ id: reservation.payment_id }).first();
    expect(charge).toMatchObject({ status: 'succeeded', webhook_attempts: 1 });
    expect(charge.webhook_delivered_at).not.toBeNull();
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
  });

  it('pm_card_async_fail: payment_intent.payment_failed puts the reservation back on hold; another card then confirms', async () => {
    const { user, reservation } = await pendingPayment('pm_card_async_fail');
    const held = await eventually(async () => {
      const res = await api.get(`/reservations/${reservation.id}`, { token: user.token });
      return res.body.status === 'held' && res.body.payment_error ? res.body : undefined;
    });
    expect(held.payment_error).toMatch(/insufficient funds/);
    const ok = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('confirmed');
  });

  it('refuses a forged signature, a missing one and a stale timestamp with 400, changing nothing', async () => {
    const { user, reservation } = await webhooklessPending();
    const event = paymentEvent({ id: `evt_forged_${reservation.id}`, type: 'payment_intent.succeeded', paymentId: reservation.payment_id, reservationId: reservation.id });
    const forged = await postWebhook(api, event, 'whsec_not_the_right_secret');
    const missing = await api.post('/webhooks/payments', event);
    const stale = await postWebhook(api, event, secret, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const tampered = await postWebhook(api, event, secret, {
      signature: signWebhookPayload(JSON.stringify({ ...event, id: 'evt_other' }), secret),
    });
    for (const res of [forged, missing, stale, tampered]) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_SIGNATURE', detail: expect.any(String) });
    }
    expect(await processedEvents(reservation.id)).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body.status).toBe('pending_payment');
  });

  it('accepts a signature made with either secret while the secret is rotated', async () => {
    const event = paymentEvent({ id: `evt_rotation_${Date.now()}`, type: 'payment_intent.succeeded', paymentId: 'pi_x' });
    const raw = JSON.stringify(event);
    const t = Math.floor(Date.now() / 1000);
    const both = `${signWebhookPayload(raw, 'whsec_old_secret_value', t)},v1=${signWebhookPayload(raw, secret, t).split('v1=')[1]}`;
    const res = await postWebhook(api, event, secret, { raw, signature: both });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('unknown_reservation');
  });

  it('applies a redelivered event once', async () => {
    const { user, reservation } = await webhooklessPending();
    const event = paymentEvent({
      id: `evt_twice_${reservation.id}`,
      type: 'payment_intent.succeeded',
      paymentId: reservation.payment_id,
      reservationId: reservation.id,
      amountCents: 1000,
    });
    const [first, second] = await Promise.all([postWebhook(api, event, secret), postWebhook(api, event, secret)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.outcome, second.body.outcome].sort()).toEqual(['applied', 'duplicate']);
    const third = await postWebhook(api, event, secret);
    expect(third.body.outcome).toBe('duplicate');
    await waitForStatus(api, user.token, reservation.id, 'confirmed');
    expect(await processedEvents(reservation.id)).toEqual([event.id]);
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
  });

  it('acknowledges events for unknown reservations and event types it does not handle', async () => {
    const unknown = paymentEvent({ id: `evt_unknown_${Date.now()}`, type: 'payment_intent.succeeded', paymentId: 'pi_nope', reservationId: '00000000-0000-4000-8000-000000000000' });
    expect((await postWebhook(api, unknown, secret)).body).toMatchObject({ received: true, outcome: 'unknown_reservation' });
    const other = paymentEvent({ id: `evt_other_${Date.now()}`, type: 'charge.refunded', paymentId: 'pi_nope' });
    expect((await postWebhook(api, other, secret)).body).toMatchObject({ received: true, outcome: 'ignored' });
  });

  it('never answers 5xx for garbage bodies', async () => {
    const bodies = ['', 'null', '[]', '"x"', '{', '{"id":1}', '{"id":"e","type":"payment_intent.succeeded","data":{}}', '\u0000', '{"a":'.repeat(50), 'x'.repeat(70_000)];
    for (const raw of bodies) {
      for (const signature of [signWebhookPayload(raw, secret), 'garbage', 't=abc,v1=zz']) {
        const res = await api.post('/webhooks/payments', undefined, { raw, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } });
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(res.body).toMatchObject({ detail: expect.any(String), code: expect.any(String) });
      }
    }
  });

  it('the provider retries with backoff until the API answers 2xx', async () => {
    const { user, reservation } = await webhooklessPending();
    let refusals = 0;
    // A gateway in front of the API that fails the first two deliveries.
    const gateway = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (refusals < 2) {
          refusals += 1;
          res.writeHead(503).end();
          return;
        }
        void fetch(`${stack.baseUrl}/api/v1/webhooks/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': String(req.headers['stripe-signature']) }, body: Buffer.concat(chunks) })
          .then(async (upstream) => res.writeHead(upstream.status).end(await upstream.text()));
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    const dispatcher = new FakeWebhookDispatcher(stack.knex, { url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/`, secret, pollMs: 50 });
    await stack.dispatcher?.stop();
    await stack.knex('fake_provider_charges').where({ id: reservation.payment_id }).update({ webhook_next_at: stack.knex.fn.now() });
    dispatcher.start();
    try {
      await waitForStatus(api, user.token, reservation.id, 'confirmed', 15_000);
    } finally {
      await dispatcher.stop();
      stack.dispatcher?.start();
      await new Promise((r) => gateway.close(r));
    }
    expect(refusals).toBe(2);
    const charge = await stack.knex('fake_provider_charges').where({ id: reservation.payment_id }).first();
    expect(charge.webhook_attempts).toBe(3);
  });

  /** A pending payment whose webhook the stack's own dispatcher will not send (it is not due). */
  async function webhooklessPending() {
    const pending = await pendingPayment('pm_card_async');
    await stack.knex('fake_provider_charges').where({ id: pending.reservation.payment_id }).update({ webhook_next_at: stack.knex.raw(`now() + interval '1 hour'`) });
    return pending;
  }
});
