import { chargeCount, eventually, holdOnNewShowtime, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { startWorkerProcess, type WorkerProcess } from './helpers/workerProcess';

/**
 * The charge is a local activity (patch charge-as-local-activity): nothing of it is in the history
 * until the workflow task that runs it completes. A worker killed after the provider charged but
 * before that leaves no trace of the charge in Temporal; the task is retried on another worker,
 * which runs the charge again with the same idempotency key, and the provider answers with the
 * charge it already made.
 */
describe('a worker killed in the middle of the charge', () => {
  let worker: WorkerProcess | undefined;
  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    await worker?.stop();
  });
  const { stack, api } = useTestStack({ worker: false, webhooks: false, env: { HOLD_TTL_SECONDS: '600' } });

  it('charges once and confirms: the new worker runs the charge again under the same key', async () => {
    worker = await startWorkerProcess(stack.config);
    const { user, reservation } = await holdOnNewShowtime(stack, api);
    const id = reservation.id as string;
    const key = `${id}:charge:1`;

    // Our own record of the charge waits on this uncommitted row with the same key: by then the
    // provider has charged, and the worker has not finished the local activity.
    const blocker = await stack.knex.transaction();
    await blocker('payments').insert({ reservation_id: id, provider: 'fake', idempotency_key: key, payment_method: 'pm_card_visa', amount: reservation.total_price, status: 'pending' });
    const answer = api.post(`/reservations/${id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    await eventually(async () => {
      const { rows } = await stack.knex.raw<{ rows: unknown[] }>(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'insert into "payments"%'`);
      return rows.length > 0;
    }, 30_000);
    expect(await chargeCount(stack.knex, id)).toBe(1);

    await worker.kill();
    await blocker.rollback();
    worker = await startWorkerProcess(stack.config);

    const res = await answer;
    // 200 once the new worker finished it, or 202 if the answer came late: either way it completes.
    expect([200, 202]).toContain(res.status);
    await waitForStatus(api, user.token, id, 'confirmed', 30_000);
    expect(await chargeCount(stack.knex, id)).toBe(1);
    expect(await stack.knex('payments').where({ reservation_id: id }).select('idempotency_key', 'status')).toEqual([{ idempotency_key: key, status: 'succeeded' }]);
    expect(await stack.knex('tickets').where({ reservation_id: id }).pluck('id')).toHaveLength(reservation.seats.length);

    // The history holds the charge once, as a local activity's marker, written by the new worker.
    // The row says confirmed at the booking's COMMIT; the markers join the history when that workflow task completes.
    const { events, charges } = await eventually(async () => {
      const all = (await stack.client.workflow.getHandle(reservation.workflow_id).fetchHistory()).events ?? [];
      const markers = all
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
        .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data ?? []).toString()) as { activity_type: string });
      return markers.some((m) => m.activity_type === 'confirmBooking') ? { events: all, charges: markers.filter((m) => m.activity_type === 'chargePayment') } : undefined;
    });
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    expect(charges).toHaveLength(1);
    // The killed worker's task was lost (timed out) and run again.
    expect(events.some((e) => e.workflowTaskTimedOutEventAttributes || e.workflowTaskFailedEventAttributes)).toBe(true);
  }, 120_000);
});
