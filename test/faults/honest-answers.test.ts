import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { knexConfig } from '../../knexfile';
import { createApp } from '../../src/app';
import { FakePaymentProvider } from '../../src/payments/FakePaymentProvider';
import { idempotentReservationId } from '../../src/reservations/idempotency';
import { TEMPORAL_CLIENT_CHANNEL_ARGS } from '../../src/temporal/client';
import { reservationWorkflowId, stateQuery } from '../../workflows/shared';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient, type ApiClient } from '../helpers/http';
import { activeSeatIds, chargeCount, refundTotal } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { TrippedPaymentProvider } from '../helpers/trippedPaymentProvider';
import { paymentEvent, postWebhook } from '../helpers/webhooks';

/**
 * Every answer is a promise: a 2xx must be true afterwards and a 503 must have changed nothing.
 * An API process reaches Postgres and Temporal through TCP proxies that cut its connections in
 * the narrow windows: a COMMIT lost before or after Postgres applied it, Postgres gone while a
 * confirm or cancel Update runs, Temporal's connection dropped mid-Update. The worker talks to
 * both directly, so the system itself keeps going; each answer is checked against the end state.
 */
describe('answers stay true when connections die at the worst moment', () => {
  let provider: TrippedPaymentProvider;
  let pgProxy: TcpProxy;
  let temporalProxy: TcpProxy;
  let proxiedKnex: Knex;
  let proxiedConnection: Connection;
  let server: Server;
  let api: ApiClient;

  // Registered before the stack's hooks: the proxied API goes before the stack closes.
  afterAll(async () => {
    pgProxy?.up();
    temporalProxy?.up();
    await new Promise((resolve) => server?.close(resolve));
    await proxiedConnection?.close();
    await proxiedKnex?.destroy();
    await pgProxy?.close();
    await temporalProxy?.close();
  }, 60_000);
  const { stack } = useTestStack({
    webhooks: false,
    paymentProvider: (knex) => (provider = new TrippedPaymentProvider(new FakePaymentProvider(knex))),
  });

  beforeAll(async () => {
    const dbUrl = new URL(stack.config.databaseUrl);
    pgProxy = await startTcpProxy(`${dbUrl.hostname}:${dbUrl.port || 5432}`);
    dbUrl.host = pgProxy.address;
    proxiedKnex = knexFactory({ ...knexConfig(dbUrl.toString()), pool: { min: 0, max: 5, acquireTimeoutMillis: 5000 } });
    // knex logs every connection it loses; here they are the point.
    (proxiedKnex.client as { logger: { warn: (message: string) => void } }).logger.warn = () => undefined;
    temporalProxy = await startTcpProxy(stack.config.temporal.address);
    proxiedConnection = await Connection.connect({ address: temporalProxy.address, channelArgs: TEMPORAL_CLIENT_CHANNEL_ARGS });
    const temporal = new Client({ connection: proxiedConnection, namespace: stack.config.temporal.namespace });
    const app = createApp({ config: stack.config, knex: proxiedKnex, temporal, logger: pino({ level: 'silent' }) });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    api = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }, 60_000);


  const workflowOf = (reservationId: string) => stack.client.workflow.getHandle(reservationWorkflowId(reservationId));
  const storedStatus = async (id: string): Promise<string | undefined> =>
    (await stack.knex('reservations').where({ id }).first('status'))?.status;

  async function heldSeat() {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(res.status).toBe(201);
    return { user, show, reservation: res.body };
  }

  describe('the hold transaction', () => {
    it('a COMMIT that never reached Postgres answers 503: nothing is held, and the workflow ends abandoned', async () => {
      const user = await createUser(stack.knex, stack.config.jwtSecret);
      const show = await createShowtime(stack.knex);
      const cut = pgProxy.cutNextCommit('before-server');
      const res = await api.post(
        '/reservations',
        { showtime_id: show.id, seat_ids: [show.seats[0].id] },
        { token: user.token, headers: { 'idempotency-key': 'cut-before' } },
      );
      await cut;
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers.get('retry-after')).toBeTruthy();
      const id = idempotentReservationId(user.id, 'cut-before');
      expect(await storedStatus(id)).toBeUndefined();
      expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
      expect(await workflowOf(id).result()).toBe('abandoned');

      // The retry the 503 invites goes through, under the same key.
      const retry = await api.post(
        '/reservations',
        { showtime_id: show.id, seat_ids: [show.seats[0].id] },
        { token: user.token, headers: { 'idempotency-key': 'cut-before' } },
      );
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(id);
    });

    it('a COMMIT whose answer was lost answers 201, and the hold is real and owned by its workflow', async () => {
      const user = await createUser(stack.knex, stack.config.jwtSecret);
      const show = await createShowtime(stack.knex);
      const cut = pgProxy.cutNextCommit('after-server');
      const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
      await cut;
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('held');
      expect(await storedStatus(res.body.id)).toBe('held');
      expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[0].id]);
      const confirm = await api.post(`/reservations/${res.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
      expect(confirm.status).toBe(200);
      expect(await storedStatus(res.body.id)).toBe('confirmed');
    });
  });

  describe('the payment webhook', () => {
    it('answers 5xx when its COMMIT is lost, and the redelivery the provider then makes is applied once', async () => {
      const { user, reservation } = await heldSeat();
      const pending = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
      expect(pending.status).toBe(202);
      const event = paymentEvent({
        id: `evt_cut_${reservation.id}`,
        type: 'payment_intent.succeeded',
        paymentId: pending.body.payment_id,
        reservationId: reservation.id,
        amountCents: 1000,
      });
      const cut = pgProxy.cutNextCommit('before-server');
      const first = await postWebhook(api, event, stack.config.paymentWebhookSecret);
      await cut;
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(await stack.knex('processed_webhook_events').where({ event_id: event.id }).first()).toBeUndefined();

      const again = await postWebhook(api, event, stack.config.paymentWebhookSecret);
      expect(again.status).toBe(200);
      expect(await stack.knex('processed_webhook_events').where({ event_id: event.id }).count<{ count: number }[]>({ count: '*' })).toEqual([{ count: 1 }]);
      await expect(workflowOf(reservation.id).query(stateQuery)).resolves.toMatchObject({ status: 'confirmed' });
      expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    });
  });

  describe('confirm and cancel', () => {
    it('a confirm the workflow completed answers 200 with its result even when Postgres is gone for the read after it', async () => {
      const { user, reservation } = await heldSeat();
      provider.trip = () => pgProxy.down();
      const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
      pgProxy.up();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: reservation.id, status: 'confirmed' });
      expect(res.body.payment_id).toMatch(/^pi_/);
      expect(await storedStatus(reservation.id)).toBe('confirmed');
      expect((await stack.knex('reservations').where({ id: reservation.id }).first('payment_id')).payment_id).toBe(res.body.payment_id);
      expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    });

    it('a cancel the workflow completed answers 200 with the refund even when Postgres is gone for the read after it', async () => {
      const { user, reservation } = await heldSeat();
      const confirmed = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
      expect(confirmed.status).toBe(200);
      provider.trip = () => pgProxy.down();
      const res = await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token });
      pgProxy.up();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: reservation.id, status: 'cancelled', refund_amount: '10.00' });
      expect(await storedStatus(reservation.id)).toBe('cancelled');
      expect(await refundTotal(stack.knex, reservation.id)).toEqual({ count: 1, cents: 1000 });
    });

    it('a confirm whose Temporal connection drops mid-Update answers 200 once the connection is back, charging once', async () => {
      const { user, reservation } = await heldSeat();
      provider.trip = () => {
        temporalProxy.down();
        setTimeout(() => temporalProxy.up(), 1500);
      };
      const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('confirmed');
      expect(await storedStatus(reservation.id)).toBe('confirmed');
      expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    });

    it('a confirm retried with its Idempotency-Key gets the same 200 and charges once', async () => {
      const { user, reservation } = await heldSeat();
      const headers = { 'idempotency-key': `confirm-${reservation.id}` };
      const first = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token, headers });
      const retry = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token, headers });
      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ status: 'confirmed', payment_id: first.body.payment_id, confirmed_at: first.body.confirmed_at });
      expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
      // Without the key, a second confirm is a new request, and a confirmed booking cannot be confirmed.
      const other = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
      expect(other.status).toBe(409);
    });

    it('a cancel retried with its Idempotency-Key after the workflow closed gets the same 200', async () => {
      const { user, reservation } = await heldSeat();
      const headers = { 'idempotency-key': `cancel-${reservation.id}` };
      const first = await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token, headers });
      expect(first.status).toBe(200);
      await workflowOf(reservation.id).result();
      const retry = await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token, headers });
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ status: 'cancelled', refund_amount: '0.00', cancelled_at: first.body.cancelled_at });
      const other = await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token });
      expect(other.status).toBe(409);
    });
  });
});
