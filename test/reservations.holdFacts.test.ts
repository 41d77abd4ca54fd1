import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { createApp } from '../src/app';
import { TEMPORAL_CLIENT_CHANNEL_ARGS } from '../src/temporal/client';
import { reservationWorkflow } from '../workflows';
import { FailureType } from '../workflows/failures';
import { confirmUpdate, reservationWorkflowId, stateQuery, type HoldFacts } from '../workflows/shared';
import { afterFirstTask, localActivities, workBeforeFirstMessage } from './helpers/firstTask';
import { createShowtime, createUser } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { apiClient } from './helpers/http';
import { activeSeatIds, eventually, waitForStatus } from './helpers/reservations';
import { useTestStack, type TestStack } from './helpers/stack';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy';

/**
 * The hold path with the hold's facts in the workflow's input (patch hold-facts-from-input), on
 * the real stack: the first workflow task runs no activity, and whether the API committed is
 * asked, under the hold's advisory lock, when the row is first needed.
 */

/** The API's hold transaction, step by step, so a test can stop between the start and the commit. */
async function beginHold(stack: TestStack, opts: { holdMs: number }) {
  const user = await createUser(stack.knex, stack.config.jwtSecret);
  const show = await createShowtime(stack.knex);
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + opts.holdMs);
  const trx = await stack.knex.transaction();
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [id]);
  await trx('reservations').insert({
    id,
    user_id: user.id,
    showtime_id: show.id,
    status: 'held',
    total_price: '10.00',
    hold_expires_at: expiresAt,
    workflow_id: reservationWorkflowId(id),
  });
  await trx('reservation_seats').insert({ reservation_id: id, showtime_id: show.id, seat_id: show.seats[0].id, price_at_booking: '10.00' });
  const hold: HoldFacts = { expiresAt: expiresAt.toISOString(), showStartsAt: show.startsAt.toISOString(), showEndsAt: show.endsAt.toISOString(), totalPrice: '10.00' };
  const handle = await stack.client.workflow.start(reservationWorkflow, {
    workflowId: reservationWorkflowId(id),
    taskQueue: stack.config.temporal.taskQueue,
    args: [{ reservationId: id, cancellationCutoffMinutes: 60, hold }],
  });
  return { id, user, show, trx, handle };
}

const waitingOnAdvisoryLock = (stack: TestStack) =>
  eventually(async () => {
    const { rows } = await stack.knex.raw(
      `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query ILIKE '%pg_advisory_xact_lock%'`,
    );
    return rows.length > 0;
  });

describe('the hold with its facts in the workflow input', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '3', CANCELLATION_CUTOFF_MINUTES: '0' } });

  /** A new user's hold of one seat of a new showtime, through the API, and its workflow. */
  async function holdOneSeat() {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(res.status).toBe(201);
    return { user, show, res, handle: stack.client.workflow.getHandle(res.body.workflow_id) };
  }

  it("runs no activity on the workflow's first task, and a confirm right after the hold books it without reading the row again", async () => {
    const { user, res, handle } = await holdOneSeat();
    const ok = await api.post(`/reservations/${res.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('confirmed');

    const history = await handle.fetchHistory();
    expect(workBeforeFirstMessage(history)).toEqual([]);
    // The API read the row before it sent the confirm, and said so (row_seen): a row it read is
    // committed, so the workflow charges and books without asking again (no findReservation).
    expect(localActivities(history)).toEqual(['chargePayment', 'confirmBooking']);
    await recordHistory(handle, 'row-seen-confirmed');
  });

  it("a cancel of a hold from the API releases it without reading the row again", async () => {
    const { user, show, res, handle } = await holdOneSeat();
    const cancelled = await api.post(`/reservations/${res.body.id}/cancel`, {}, { token: user.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refund_amount: '0.00' });
    await expect(handle.result()).resolves.toBe('cancelled');
    expect(localActivities(await handle.fetchHistory())).toEqual(['releaseSeats']);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    await recordHistory(handle, 'row-seen-cancelled');
  });

  it("an operator's confirm (no row_seen: the Web UI, the CLI) still reads the row first", async () => {
    const { handle } = await holdOneSeat();
    expect(await handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa' }] })).toMatchObject({ status: 'confirmed' });
    const history = await handle.fetchHistory();
    expect(workBeforeFirstMessage(history)).toEqual([]);
    // The row was read once, by the confirm, before it charged.
    expect(localActivities(history)).toEqual(['findReservation', 'chargePayment', 'confirmBooking']);
    await recordHistory(handle, 'facts-from-input-confirmed');
  });

  it("shows the input's facts while held, then reads the row at the deadline and expires the hold", async () => {
    const { user, show, res, handle } = await holdOneSeat();
    await afterFirstTask(handle);
    expect(await handle.query(stateQuery)).toMatchObject({
      status: 'held',
      hold_expires_at: res.body.expires_at,
      show_starts_at: show.startsAt.toISOString(),
      total_price: res.body.total_price,
    });
    await waitForStatus(api, user.token, res.body.id, 'expired', 15_000);
    await expect(handle.result()).resolves.toBe('expired');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    const history = await handle.fetchHistory();
    expect(workBeforeFirstMessage(history)).toEqual([]);
    expect(localActivities(history)).toEqual(['findReservation', 'releaseSeats']);
    await recordHistory(handle, 'facts-from-input-expired');
  });

  it('a message before the commit waits for it under the advisory lock, then acts on the hold', async () => {
    const { id, show, trx, handle } = await beginHold(stack, { holdMs: 60_000 });
    await afterFirstTask(handle);
    const confirming = handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa' }] });
    await waitingOnAdvisoryLock(stack);
    await trx.commit();
    expect(await confirming).toMatchObject({ status: 'confirmed' });
    expect((await stack.knex('reservations').where({ id }).first('status')).status).toBe('confirmed');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[0].id]);
  });

  it('a hold whose transaction rolled back refuses its first message and ends abandoned; the API knows no such reservation', async () => {
    const { id, user, show, trx, handle } = await beginHold(stack, { holdMs: 60_000 });
    await afterFirstTask(handle);
    expect((await handle.query(stateQuery)).status).toBe('held');
    await trx.rollback();
    const refused = await handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect({ type: cause.type, message: cause.message }).toEqual({ type: FailureType.InvalidState, message: 'A reservation that is abandoned cannot be confirmed' });
    await expect(handle.result()).resolves.toBe('abandoned');
    expect(localActivities(await handle.fetchHistory())).toEqual(['findReservation']);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    for (const path of [`/reservations/${id}/confirm`, `/reservations/${id}/cancel`]) {
      const res = await api.post(path, { payment_method: 'pm_card_visa' }, { token: user.token });
      expect(res.status).toBe(404);
    }
    await recordHistory(handle, 'facts-from-input-abandoned-at-confirm');
  });

  it('a hold whose transaction rolled back ends abandoned at its deadline, releasing nothing', async () => {
    const { show, trx, handle } = await beginHold(stack, { holdMs: 2000 });
    await trx.rollback();
    await expect(handle.result()).resolves.toBe('abandoned');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'abandoned' });
    const history = await handle.fetchHistory();
    expect(workBeforeFirstMessage(history)).toEqual([]);
    expect(localActivities(history)).toEqual(['findReservation']);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    await recordHistory(handle, 'facts-from-input-abandoned-at-deadline');
  });
});

describe('a hold start that landed though the API saw it fail', () => {
  // The default HOLD_TTL (10 minutes): a phantom would outlive the test unless it is asked to cancel.
  let proxy: TcpProxy;
  let connection: Connection;
  let server: Server;
  afterAll(async () => {
    proxy?.release();
    await new Promise((resolve) => server?.close(resolve));
    await connection?.close();
    await proxy?.close();
  }, 30_000);
  const { stack } = useTestStack();
  beforeAll(async () => {
    proxy = await startTcpProxy(stack.config.temporal.address);
    connection = await Connection.connect({ address: proxy.address, channelArgs: TEMPORAL_CLIENT_CHANNEL_ARGS });
    const temporal = new Client({ connection, namespace: stack.config.temporal.namespace });
    const app = createApp({ config: stack.config, knex: stack.knex, temporal, logger: pino({ level: 'silent' }) });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  }, 30_000);

  it('answers 503, asks the run to cancel, and the run reads no row and ends abandoned', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const proxied = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    // Temporal starts the workflow; its answer never reaches the API, whose start times out.
    proxy.holdResponses();
    const res = await proxied.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    proxy.release();
    expect(res.status).toBe(503);
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 0 }]);

    const runs = await eventually(async () => {
      const listed: string[] = [];
      for await (const w of stack.client.workflow.list({ query: `TaskQueue = "${stack.config.temporal.taskQueue}" AND ShowtimeId = ${show.id}` })) listed.push(w.workflowId);
      return listed.length > 0 && listed;
    });
    expect(runs).toHaveLength(1);
    const handle = stack.client.workflow.getHandle(runs[0]);
    await expect(handle.result()).resolves.toBe('abandoned');
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
    expect(localActivities(history)).toEqual(['findReservation']);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    await recordHistory(handle, 'facts-from-input-abandoned-on-cancellation-request');
  }, 60_000);
});
