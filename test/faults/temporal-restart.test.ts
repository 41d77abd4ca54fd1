import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli, type TemporalExecutable } from '../../scripts/temporalCli';
import { startDevServer } from '../../scripts/devServer';
import { paymentSignal } from '../../workflows/shared';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/http';
import { freePort, waitForPortClosed } from '../../scripts/lib/ports';
import { activeSeatIds, chargeCount, doubleBookedSeats, eventually, holdSeats, refundTotal, waitForStatus } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';

/**
 * The Temporal server goes away while holds, a confirmed booking and a pending payment are open,
 * and comes back on its persistent (SQLite) store: the API answers 503 meanwhile and changes
 * nothing; afterwards the timers fire, confirms and cancels work, and nothing is charged twice.
 */

/** Answers of the API while Temporal is down must come within this, not hang. */
const BOUNDED_MS = 35_000;
const SHORT_TTL_SECONDS = 20;

describe('the Temporal server stopped and started again on its persistent database', () => {
  let executable: TemporalExecutable;
  let dbFilename: string;
  let port: number;
  let temporal: TestWorkflowEnvironment | undefined;
  /** The same API with a long hold, for the reservations that must outlive the outage. */
  let longApi: ApiClient;
  let longServer: { baseUrl: string; close(): Promise<void> } | undefined;

  /**
   * Starts the dev server on the file and port. A start whose client cannot connect in time
   * leaves its server running (TestWorkflowEnvironment does not stop it): that one is stopped,
   * and the start tried again.
   */
  async function start(): Promise<TestWorkflowEnvironment> {
    for (let attempt = 1; ; attempt += 1) {
      await waitForPortClosed(port);
      try {
        return await startDevServer({ executable, dbFilename, port });
      } catch (err) {
        if (process.platform === 'linux') stopStrayServers();
        if (attempt >= 2) throw err;
      }
    }
  }

  /** Kills any dev server still running on this test's database file (the file name is unique to this run). */
  function stopStrayServers(): void {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmdline.includes(dbFilename)) process.kill(Number(pid), 'SIGKILL');
    }
  }

  // The hooks run in this order. The first teardown runs before the stack closes: Temporal must be up for that.
  afterAll(async () => {
    await longServer?.close();
    if (!temporal) temporal = await start().catch(() => undefined);
  }, 60_000);
  beforeAll(async () => {
    executable = await ensureTemporalCli();
    dbFilename = path.join(process.env.TEST_TMP_DIR ?? '/tmp', `temporal-restart-${process.pid}-${Date.now()}.db`);
    port = await freePort();
    temporal = await start();
  }, 120_000);
  // The test delivers the asynchronous payment's outcome itself, after the restart.
  const { stack, api } = useTestStack(() => ({ env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, HOLD_TTL_SECONDS: String(SHORT_TTL_SECONDS) }, webhooks: false }), 120_000);
  beforeAll(async () => {
    longServer = await stack.startExtraApi({ holdTtlSeconds: 3600 });
    longApi = apiClient(longServer.baseUrl);
  }, 120_000);
  afterAll(async () => {
    await temporal?.teardown();
    if (process.platform === 'linux') stopStrayServers();
  }, 60_000);

  async function timed(request: () => Promise<ApiResponse>) {
    const started = Date.now();
    const res = await request();
    return { res, ms: Date.now() - started };
  }

  function expectUnavailable({ res, ms }: { res: ApiResponse; ms: number }) {
    expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: { detail: expect.any(String), code: 'SERVICE_UNAVAILABLE' } });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(ms).toBeLessThan(BOUNDED_MS);
  }

  it('answers 503 while it is down, then fires the timers, confirms, cancels and charges once', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const [sExpire, sConfirm, sBooked, sPending, sRefused] = show.seats.map((s) => s.id);
    const token = user.token;
    const hold = (client: ApiClient, seat: number) => holdSeats(client, token, show.id, [seat]);

    const expiring = await hold(api, sExpire);
    const toConfirm = await hold(longApi, sConfirm);
    const booked = await hold(longApi, sBooked);
    expect((await longApi.post(`/reservations/${booked.id}/confirm`, { payment_method: 'pm_card_visa' }, { token })).status).toBe(200);
    const pending = await hold(longApi, sPending);
    const asyncPay = await longApi.post(`/reservations/${pending.id}/confirm`, { payment_method: 'pm_card_async' }, { token });
    expect(asyncPay.status).toBe(202);

    await temporal!.teardown();
    temporal = undefined;

    // While it is down: every call that needs Temporal is a bounded 503 that changes nothing.
    const [refusedHold, refusedConfirm, refusedCancel, health] = await Promise.all([
      timed(() => api.post('/reservations', { showtime_id: show.id, seat_ids: [sRefused] }, { token })),
      timed(() => longApi.post(`/reservations/${toConfirm.id}/confirm`, { payment_method: 'pm_card_visa' }, { token })),
      timed(() => longApi.post(`/reservations/${booked.id}/cancel`, {}, { token })),
      timed(() => api.get('/healthz')),
    ]);
    expectUnavailable(refusedHold);
    expectUnavailable(refusedConfirm);
    expectUnavailable(refusedCancel);
    expect(health.res.status).toBe(503);
    expect(health.res.body).toEqual({ status: 'degraded', database: 'ok', temporal: 'unavailable' });
    expect(health.res.headers.get('retry-after')).toBeTruthy();
    expect(health.ms).toBeLessThan(10_000);
    // Reads that need only Postgres still work.
    expect((await api.get(`/reservations/${toConfirm.id}`, { token })).body.status).toBe('held');
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 4 }]);
    expect(await chargeCount(stack.knex, toConfirm.id)).toBe(0);
    expect((await stack.knex('reservations').where({ id: booked.id }).first('status')).status).toBe('confirmed');

    // The short hold's deadline passes while the server is down: only its durable timer can release it.
    const deadline = Date.parse(expiring.expires_at);
    if (Date.now() < deadline + 1000) await new Promise((r) => setTimeout(r, deadline + 1000 - Date.now()));
    expect((await stack.knex('reservations').where({ id: expiring.id }).first('status')).status).toBe('held');

    temporal = await start();

    // The API's connection comes back by itself, within seconds (its reconnect backoff is capped
    // at 2 s, src/temporal/client.ts); until it has, the answer is still a clean 503.
    const confirmed = await eventually(async () => {
      const res = await longApi.post(`/reservations/${toConfirm.id}/confirm`, { payment_method: 'pm_card_visa' }, { token });
      if (res.status === 503) return undefined;
      return res;
    }, 20_000, 250);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');

    await waitForStatus(api, token, expiring.id, 'expired', 60_000);

    await stack.client.workflow
      .getHandle(pending.workflow_id)
      .signal(paymentSignal, { event_id: `evt_${pending.id}`, type: 'payment_intent.succeeded', payment_id: asyncPay.body.payment_id });
    await waitForStatus(api, token, pending.id, 'confirmed', 30_000);

    const cancelled = await longApi.post(`/reservations/${booked.id}/cancel`, {}, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refund_amount: '10.00' });

    expect((await api.post('/reservations', { showtime_id: show.id, seat_ids: [sRefused] }, { token })).status).toBe(201);

    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([sConfirm, sPending, sRefused].sort((a, b) => a - b));
    expect(await chargeCount(stack.knex, expiring.id)).toBe(0);
    expect(await chargeCount(stack.knex, toConfirm.id)).toBe(1);
    expect(await chargeCount(stack.knex, booked.id)).toBe(1);
    expect(await chargeCount(stack.knex, pending.id)).toBe(1);
    expect(await refundTotal(stack.knex, booked.id)).toEqual({ count: 1, cents: 1000 });
  }, 240_000);
});
