import { verifyWebhookSignature } from '../src/payments/webhookSignature';
import { WEBHOOK_EVENT_TYPES } from '../src/webhooks/eventTypes';
import { createShowtime, createUser, insertReservation } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { eventually, holdSeats } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhookReceiver';
import { webhookDeliveryWorkflowId, webhookRedeliveryWorkflowId } from '../workflows/webhookShared';

const ALL_EVENTS = [...WEBHOOK_EVENT_TYPES];
/** Generous: up to five test files share two cores with other helpers' runs. */
const DELIVERY_TIMEOUT_MS = 60_000;

/** Outbound webhooks end to end: the real worker, dispatcher, Postgres triggers and a real HTTP receiver. */
describe('outbound webhooks', () => {
  const { stack, api } = useTestStack({
    env: { WEBHOOK_RETRY_INITIAL_INTERVAL_MS: '200', WEBHOOK_RETRY_MAX_INTERVAL_MS: '400', WEBHOOK_SWEEP_INTERVAL_MS: '500' },
  });
  const receivers: WebhookReceiver[] = [];
  const admin = () => createUser(stack.knex, stack.config.jwtSecret, 'admin');

  // Endpoints are deleted after each test: later tests (and files, on the same database) neither
  // pay for their events nor have them sent to receivers that are gone.
  afterEach(async () => {
    await stack.knex('webhook_endpoints').update({ is_deleted: true });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(answer?: Parameters<typeof startWebhookReceiver>[0]) {
    const r = await startWebhookReceiver(answer);
    receivers.push(r);
    return r;
  }

  async function subscribe(url: string, token: string, events = ALL_EVENTS) {
    const res = await api.post('/webhook-endpoints', { url, events, description: 'test receiver' }, { token });
    expect(res.status).toBe(201);
    return res.body as { id: number; secret: string; url: string; events: string[] };
  }

  it('lets admins create, read, list and delete endpoints; the secret is shown once', async () => {
    const { token } = await admin();
    const created = await api.post('/webhook-endpoints', { url: 'https://hooks.example.com/cinema', events: ['reservation.confirmed', 'reservation.confirmed'] }, { token });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/webhook-endpoints/${created.body.id}`);
    expect(created.body).toEqual({
      id: expect.any(Number),
      url: 'https://hooks.example.com/cinema',
      events: ['reservation.confirmed'],
      description: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{40,}$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const id = created.body.id as number;
    const one = await api.get(`/webhook-endpoints/${id}`, { token });
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('secret');
    const list = await api.get('/webhook-endpoints?page_size=100', { token });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, page_size: 100, total: expect.any(Number) });
    expect(list.body.items.find((e: { id: number }) => e.id === id)).toEqual(one.body);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');

    expect((await api.delete(`/webhook-endpoints/${id}`, { token })).status).toBe(204);
    expect((await api.get(`/webhook-endpoints/${id}`, { token })).body).toMatchObject({ code: 'WEBHOOK_ENDPOINT_NOT_FOUND' });
    expect((await api.delete(`/webhook-endpoints/${id}`, { token })).status).toBe(404);
    expect((await api.get(`/webhook-endpoints/${id}/deliveries`, { token })).status).toBe(404);
  });

  it('answers 403 to users and staff, 401 without a token', async () => {
    const { token: adminToken } = await admin();
    const endpoint = await subscribe('https://hooks.example.com/x', adminToken);
    for (const role of ['user', 'staff'] as const) {
      const { token } = await createUser(stack.knex, stack.config.jwtSecret, role);
      const calls = [
        api.post('/webhook-endpoints', { url: 'https://hooks.example.com/y', events: ['reservation.held'] }, { token }),
        api.get('/webhook-endpoints', { token }),
        api.get(`/webhook-endpoints/${endpoint.id}`, { token }),
        api.delete(`/webhook-endpoints/${endpoint.id}`, { token }),
        api.get(`/webhook-endpoints/${endpoint.id}/deliveries`, { token }),
        api.post(`/webhook-endpoints/${endpoint.id}/deliveries/1/redeliver`, {}, { token }),
      ];
      for (const res of await Promise.all(calls)) expect(res.status).toBe(403);
    }
    expect((await api.get('/webhook-endpoints')).status).toBe(401);
    expect((await api.get(`/webhook-endpoints/${endpoint.id}`, { token: adminToken })).status).toBe(200);
  });

  it('refuses bad input with 422 and creates nothing', async () => {
    const { token } = await admin();
    const before = await stack.knex('webhook_endpoints').count({ n: '*' }).first();
    const bad = [
      { url: 'ftp://hooks.example.com/x', events: ['reservation.held'] },
      { url: 'not a url', events: ['reservation.held'] },
      { url: 'https://user:pw@hooks.example.com/x', events: ['reservation.held'] },
      { url: 'https://hooks.example.com/x', events: [] },
      { url: 'https://hooks.example.com/x', events: ['reservation.exploded'] },
      { url: 'https://hooks.example.com/x' },
      { events: ['reservation.held'] },
      { url: 'https://hooks.example.com/x', events: 'reservation.held' },
      // Parses, but nothing listens on port 0: every delivery would fail.
      { url: 'https://hooks.example.com:0/x', events: ['reservation.held'] },
    ];
    for (const body of bad) {
      const res = await api.post('/webhook-endpoints', body, { token });
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 422, code: 'VALIDATION_ERROR' });
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    expect((await api.get('/webhook-endpoints/abc', { token })).status).toBe(422);
    expect((await api.get('/webhook-endpoints/1/deliveries?status=lost', { token })).status).toBe(422);
    expect(await stack.knex('webhook_endpoints').count({ n: '*' }).first()).toEqual(before);
  });

  it('takes an upper-case scheme (schemes are case-insensitive) and stores it lower-case', async () => {
    const { token } = await admin();
    const res = await api.post('/webhook-endpoints', { url: 'HTTPS://hooks.example.com/Upper', events: ['reservation.held'] }, { token });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe('https://hooks.example.com/Upper');
    expect((await api.get(`/webhook-endpoints/${res.body.id}`, { token })).body.url).toBe('https://hooks.example.com/Upper');
  });

  it('refuses loopback, link-local and private targets (also by DNS answer) when private targets are not allowed', async () => {
    const guarded = await stack.startExtraApi({ webhooks: { ...stack.config.webhooks, allowPrivateTargets: false } });
    try {
      const { token } = await admin();
      for (const url of [
        'http://127.0.0.1:9/hooks',
        'http://localhost:9/hooks',
        'http://localhost.:9/hooks',
        'http://[::1]/hooks',
        'http://[::ffff:127.0.0.1]/hooks',
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.7/hooks',
        'http://192.168.1.1/hooks',
      ]) {
        const guardedRes = await fetch(`${guarded.baseUrl}/api/v1/webhook-endpoints`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url, events: ['reservation.held'] }),
        });
        const body = (await guardedRes.json()) as { code: string; errors: { field: string }[] };
        expect({ url, status: guardedRes.status, code: body.code }).toEqual({ url, status: 422, code: 'UNSAFE_WEBHOOK_TARGET' });
        expect(body.errors[0].field).toBe('url');
      }
      // A public address is fine.
      const ok = await fetch(`${guarded.baseUrl}/api/v1/webhook-endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://93.184.215.14/hooks', events: ['reservation.held'] }),
      });
      expect(ok.status).toBe(201);
    } finally {
      await guarded.close();
    }
  });

  it('delivers hold -> confirm -> cancel in order, each event once, signed, through a receiver that fails 3 times first', async () => {
    const { token } = await admin();
    const flaky = await receiver((received) => (received.length < 3 ? 500 : 200));
    const endpoint = await subscribe(flaky.url, token);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const reservation = await holdSeats(api, user.token, show.id, [show.seats[0].id, show.seats[1].id]);
    expect((await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).status).toBe(200);
    expect((await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token })).status).toBe(200);

    const expected = ['reservation.held', 'reservation.confirmed', 'reservation.cancelled', 'reservation.refunded'];
    const mine = () => flaky.received.filter((r) => (r.body.data.object as { id?: string }).id === reservation.id);
    await eventually(async () => mine().filter((r) => r.status === 200).length >= expected.length, DELIVERY_TIMEOUT_MS, 100);

    // Each event acknowledged once, in the reservation's order, and nothing sent after an
    // event before that event was acknowledged.
    const acked = mine().filter((r) => r.status === 200);
    expect(acked.map((r) => r.body.type)).toEqual(expected);
    expect(acked.map((r) => r.body.sequence)).toEqual([1, 2, 3, 4]);
    expect(new Set(acked.map((r) => r.body.id)).size).toBe(expected.length);
    const order = mine().map((r) => r.body.sequence);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(mine().filter((r) => r.status === 500).map((r) => r.body.type)).toEqual(['reservation.held', 'reservation.held', 'reservation.held']);

    for (const r of mine()) {
      expect(r.headers['webhook-id']).toBe(r.body.id);
      expect(verifyWebhookSignature(r.raw, r.headers['webhook-signature'] as string, [endpoint.secret])).toEqual({ ok: true, timestamp: expect.any(Number) });
      expect(verifyWebhookSignature(r.raw, r.headers['webhook-signature'] as string, ['whsec_another'])).toMatchObject({ ok: false });
    }
    // data.object is the reservation as the API shows it at each change.
    const objects = acked.map((r) => r.body.data.object);
    expect(objects.map((o) => o.status)).toEqual(['held', 'confirmed', 'cancelled', 'cancelled']);
    expect(objects[0]).toMatchObject({ object: 'reservation', id: reservation.id, total_price: '20.00', seats: reservation.seats, refund_amount: null });
    expect(objects[3]).toMatchObject({ refund_amount: '20.00', payment_id: expect.any(String) });

    // The delivery log says the same.
    const log = await api.get(`/webhook-endpoints/${endpoint.id}/deliveries?reservation_id=${reservation.id}`, { token });
    expect(log.status).toBe(200);
    expect(log.body.total).toBe(4);
    const held = log.body.items.find((d: { event_type: string }) => d.event_type === 'reservation.held');
    expect(held).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 200, last_error: null, next_attempt_at: null, reservation_id: reservation.id, sequence: 1 });
    expect(held.delivered_at).toEqual(expect.any(String));
    expect(log.body.items.map((d: { sequence: number }) => d.sequence)).toEqual([4, 3, 2, 1]);

    const handle = stack.client.workflow.getHandle(webhookDeliveryWorkflowId(endpoint.id, held.event_id));
    expect(await handle.result()).toBe('delivered');
    await recordHistory(handle, 'webhook-delivered-after-3-failures');
    const confirmed = log.body.items.find((d: { event_type: string }) => d.event_type === 'reservation.confirmed');
    const second = stack.client.workflow.getHandle(webhookDeliveryWorkflowId(endpoint.id, confirmed.event_id));
    expect(await second.result()).toBe('delivered');
    await recordHistory(second, 'webhook-delivered-after-earlier-event');
  });

  it('redelivers a delivered event on request (202), and refuses one still pending (409)', async () => {
    const { token } = await admin();
    const ok = await receiver();
    const endpoint = await subscribe(ok.url, token, ['reservation.held']);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const reservation = await holdSeats(api, user.token, show.id, [show.seats[0].id]);
    const delivered = await eventually(async () => {
      const log = await api.get(`/webhook-endpoints/${endpoint.id}/deliveries?reservation_id=${reservation.id}&status=delivered`, { token });
      return log.body.items?.[0];
    }, DELIVERY_TIMEOUT_MS, 100);
    expect(ok.acknowledged().filter((r) => r.body.id === delivered.event_id)).toHaveLength(1);

    const again = await api.post(`/webhook-endpoints/${endpoint.id}/deliveries/${delivered.id}/redeliver`, {}, { token });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: delivered.id, status: 'pending', redeliveries: 1 });
    await eventually(async () => ok.acknowledged().filter((r) => r.body.id === delivered.event_id).length === 2, DELIVERY_TIMEOUT_MS, 100);
    const after = await eventually(async () => {
      const log = await api.get(`/webhook-endpoints/${endpoint.id}/deliveries?reservation_id=${reservation.id}`, { token });
      return log.body.items[0].status === 'delivered' ? log.body.items[0] : undefined;
    }, DELIVERY_TIMEOUT_MS, 100);
    expect(after).toMatchObject({ attempts: 2, redeliveries: 1, last_status_code: 200 });
    const redelivery = stack.client.workflow.getHandle(webhookRedeliveryWorkflowId(delivered.id, 1));
    expect(await redelivery.result()).toBe('delivered');
    await recordHistory(redelivery, 'webhook-redelivered');

    expect((await api.post(`/webhook-endpoints/${endpoint.id}/deliveries/2147483647/redeliver`, {}, { token })).body).toMatchObject({ code: 'WEBHOOK_DELIVERY_NOT_FOUND' });

    // A receiver that never acknowledges: its delivery stays pending and is being retried.
    const down = await receiver(() => 503);
    const failing = await subscribe(down.url, token, ['reservation.held']);
    const other = await holdSeats(api, user.token, show.id, [show.seats[1].id]);
    const pending = await eventually(async () => {
      const log = await api.get(`/webhook-endpoints/${failing.id}/deliveries?reservation_id=${other.id}`, { token });
      const d = log.body.items?.[0];
      return d && d.attempts >= 1 ? d : undefined;
    }, DELIVERY_TIMEOUT_MS, 100);
    expect(pending).toMatchObject({ status: 'pending', last_status_code: 503, last_error: 'HTTP 503', next_attempt_at: expect.any(String) });
    const refused = await api.post(`/webhook-endpoints/${failing.id}/deliveries/${pending.id}/redeliver`, {}, { token });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WEBHOOK_DELIVERY_IN_PROGRESS');
    // Deleting the endpoint ends its pending deliveries.
    expect((await api.delete(`/webhook-endpoints/${failing.id}`, { token })).status).toBe(204);
    await eventually(async () => {
      const row = await stack.knex('webhook_deliveries').where({ id: pending.id }).first();
      return row.status === 'failed' && row.last_error === 'endpoint deleted';
    }, DELIVERY_TIMEOUT_MS, 100);
  });

  it('sends ticket.checked_in after the booking it belongs to', async () => {
    const { token } = await admin();
    const door = await receiver();
    await subscribe(door.url, token, ['reservation.confirmed', 'ticket.checked_in']);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const staff = await createUser(stack.knex, stack.config.jwtSecret, 'staff');
    const show = await createShowtime(stack.knex, { startsInMinutes: 30 });
    const reservation = await holdSeats(api, user.token, show.id, [show.seats[0].id]);
    expect((await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).status).toBe(200);
    const ticket = await eventually(async () => (await api.get(`/reservations/${reservation.id}/tickets`, { token: user.token })).body?.tickets?.[0], DELIVERY_TIMEOUT_MS, 100);
    const scan = await api.post('/checkin', { nonce: `n-${reservation.id}`, secret: ticket.secret, showtime_id: show.id, gate: 'A' }, { token: staff.token });
    expect(scan.body).toMatchObject({ result: 'ok' });

    await eventually(async () => door.acknowledged().some((r) => r.body.type === 'ticket.checked_in'), DELIVERY_TIMEOUT_MS, 100);
    const mine = door.acknowledged().filter((r) => (r.body.data.object as { reservation_id?: string; id?: string }).reservation_id === reservation.id || (r.body.data.object as { id?: string }).id === reservation.id);
    expect(mine.map((r) => [r.body.type, r.body.sequence])).toEqual([['reservation.confirmed', 1], ['ticket.checked_in', 2]]);
    expect(mine[1].body.data.object).toEqual({
      object: 'checkin',
      id: expect.any(Number),
      ticket_id: ticket.id,
      reservation_id: reservation.id,
      showtime_id: show.id,
      seat_id: show.seats[0].id,
      checked_in_at: scan.body.checked_in_at,
      gate: 'A',
      offline: false,
    });
  });

  it('loses no event committed while the worker is down, and a second dispatch of an event sends nothing twice', async () => {
    const { token } = await admin();
    const r = await receiver();
    const endpoint = await subscribe(r.url, token, ['reservation.held']);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    await stack.stopWorker();
    let reservationId: string;
    try {
      reservationId = (await holdSeats(api, user.token, show.id, [show.seats[0].id])).id;
      const [event] = await stack.knex('webhook_events').where({ reservation_id: reservationId });
      expect(event).toMatchObject({ type: 'reservation.held', sequence: 1, dispatched_at: null });
    } finally {
      await stack.startWorker();
    }
    const [event] = await stack.knex('webhook_events').where({ reservation_id: reservationId });
    await eventually(async () => r.acknowledged().some((x) => x.body.id === event.id), DELIVERY_TIMEOUT_MS, 100);
    const handle = stack.client.workflow.getHandle(webhookDeliveryWorkflowId(endpoint.id, event.id));
    expect(await handle.result()).toBe('delivered');
    const { runId } = await handle.describe();

    // As if the dispatcher had died after starting the workflow but before marking the event: the sweep dispatches it again.
    await stack.knex('webhook_events').where({ id: event.id }).update({ dispatched_at: null });
    await eventually(async () => (await stack.knex('webhook_events').where({ id: event.id }).first()).dispatched_at, DELIVERY_TIMEOUT_MS, 100);
    expect((await handle.describe()).runId).toBe(runId);
    expect(await stack.knex('webhook_deliveries').where({ event_id: event.id })).toEqual([expect.objectContaining({ attempts: 1, status: 'delivered' })]);
    expect(r.received.filter((x) => x.body.id === event.id)).toHaveLength(1);
  });

  it('turns every writer\'s status changes into events (an operator\'s SQL too): expired, completed, refunded; not a return to held', async () => {
    const { token } = await admin();
    const r = await receiver();
    await subscribe(r.url, token);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const expiring = await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [show.seats[0].id] });
    for (const status of ['pending_payment', 'held', 'pending_payment', 'expired']) {
      await stack.knex('reservations').where({ id: expiring }).update({ status });
    }
    await stack.knex('reservations').where({ id: expiring }).update({ refund_amount: '0.00' });
    await stack.knex('reservations').where({ id: expiring }).update({ refund_amount: '7.50' });
    const completing = await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [show.seats[1].id], status: 'confirmed' });
    await stack.knex('reservations').where({ id: completing }).update({ status: 'completed' });

    const eventsOf = async (id: string) => (await stack.knex('webhook_events').where({ reservation_id: id }).orderBy('sequence')).map((e) => [e.sequence, e.type]);
    expect(await eventsOf(expiring)).toEqual([
      [1, 'reservation.held'],
      [2, 'reservation.expired'],
      [3, 'reservation.refunded'],
    ]);
    expect(await eventsOf(completing)).toEqual([
      [1, 'reservation.confirmed'],
      [2, 'reservation.completed'],
    ]);
    await eventually(async () => r.acknowledged().length === 5, DELIVERY_TIMEOUT_MS, 100);
    const refunded = r.acknowledged().find((x) => x.body.type === 'reservation.refunded');
    expect(refunded?.body.data.object).toMatchObject({ id: expiring, status: 'expired', refund_amount: '7.50', expired_at: null });
  });

  it('writes events in the transaction of the change: a rolled-back change leaves none', async () => {
    const { token } = await admin();
    await subscribe('https://hooks.example.com/rollback', token, ['reservation.confirmed']);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const reservation = await holdSeats(api, user.token, show.id, [show.seats[0].id]);
    let inside = -1;
    await stack.knex
      .transaction(async (trx) => {
        await trx('reservations').where({ id: reservation.id }).update({ status: 'confirmed' });
        inside = (await trx('webhook_events').where({ reservation_id: reservation.id, type: 'reservation.confirmed' })).length;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(inside).toBe(1);
    expect(await stack.knex('webhook_events').where({ reservation_id: reservation.id, type: 'reservation.confirmed' })).toHaveLength(0);
  });
});

describe('outbound webhooks: giving up', () => {
  const { stack, api } = useTestStack({
    env: { WEBHOOK_RETRY_INITIAL_INTERVAL_MS: '200', WEBHOOK_RETRY_MAX_INTERVAL_MS: '400', WEBHOOK_GIVE_UP_AFTER_SECONDS: '2', WEBHOOK_SWEEP_INTERVAL_MS: '500' },
  });
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await stack.knex('webhook_endpoints').update({ is_deleted: true });
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('gives an event up after WEBHOOK_GIVE_UP_AFTER_SECONDS, marks it failed, and sends the next one', async () => {
    const { token } = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
    // The hold is never acknowledged; everything after it is.
    receiver = await startWebhookReceiver((_received, body) => (body.type === 'reservation.held' ? 500 : 204));
    const created = await api.post('/webhook-endpoints', { url: receiver.url, events: ['reservation.held', 'reservation.cancelled'] }, { token });
    expect(created.status).toBe(201);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const reservation = await holdSeats(api, user.token, show.id, [show.seats[0].id]);
    expect((await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token })).status).toBe(200);

    await eventually(async () => receiver?.acknowledged().some((r) => r.body.type === 'reservation.cancelled'), DELIVERY_TIMEOUT_MS, 100);
    const types = receiver.received.map((r) => r.body.type);
    // Every attempt at the hold came before the cancellation was sent.
    expect(types.lastIndexOf('reservation.held')).toBeLessThan(types.indexOf('reservation.cancelled'));
    expect(types.filter((t) => t === 'reservation.held').length).toBeGreaterThanOrEqual(2);

    const log = await api.get(`/webhook-endpoints/${created.body.id}/deliveries?reservation_id=${reservation.id}`, { token });
    const held = log.body.items.find((d: { event_type: string }) => d.event_type === 'reservation.held');
    expect(held).toMatchObject({ status: 'failed', last_status_code: 500, last_error: 'HTTP 500', next_attempt_at: null, delivered_at: null });
    expect(log.body.items.find((d: { event_type: string }) => d.event_type === 'reservation.cancelled')).toMatchObject({ status: 'delivered', last_status_code: 204 });

    const handle = stack.client.workflow.getHandle(webhookDeliveryWorkflowId(created.body.id, held.event_id));
    expect(await handle.result()).toBe('failed');
    await recordHistory(handle, 'webhook-given-up-then-next-event');
  });
});
