import type { WorkflowHandle } from '@temporalio/client';
import * as rawSql from '../src/db/rawSql';
import { paymentSignal, stateQuery } from '../workflows/shared';
import { recordHistory } from './helpers/histories';
import { chargeCount, eventually, holdOnNewShowtime, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/** What a reservation workflow's history says it ran, in order. */
interface Steps {
  /** Ordinary activities, by type. */
  activities: string[];
  /** Local activities (their markers), by type. */
  local: string[];
  /** Patch markers, by patch id. */
  patches: string[];
  /** Workflow tasks between the last Update's acceptance and its answer (0: one task did it all). */
  tasksWithinLastUpdate: number;
}

async function stepsOf(handle: WorkflowHandle): Promise<Steps> {
  const events = (await handle.fetchHistory()).events ?? [];
  const markerData = (name: string) =>
    events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === name)
      .map((e) => e.markerRecordedEventAttributes?.details?.[name === 'core_patch' ? 'patch-data' : 'data']?.payloads?.[0]?.data ?? new Uint8Array())
      .map((bytes) => JSON.parse(Buffer.from(bytes).toString()) as { activity_type?: string; id?: string });
  return {
    activities: events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : [])),
    local: markerData('core_local_activity').map((m) => m.activity_type ?? '?'),
    patches: markerData('core_patch').map((m) => m.id ?? '?'),
    tasksWithinLastUpdate: (() => {
      const accepted = events.map((e) => !!e.workflowExecutionUpdateAcceptedEventAttributes).lastIndexOf(true);
      const completed = events.map((e) => !!e.workflowExecutionUpdateCompletedEventAttributes).lastIndexOf(true);
      return events.slice(accepted, completed).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    })(),
  };
}

/**
 * The confirm's path (issue 21, "Confirm"): the charge is a local activity and the booking is
 * confirmed with its tickets in one transaction, so a confirm costs one workflow task; the API
 * answers from the Update's result without reading the row again, and the answer is the row.
 */
describe('the confirm path', () => {
  const { stack, api } = useTestStack({ webhooks: false, env: { HOLD_TTL_SECONDS: '600' } });
  const hold = (seats = 2) =>
    holdOnNewShowtime(stack, api, {
      showtime: { rows: [{ row: 'A', seats: 4 }] },
      seats: (show) => show.seats.slice(0, seats).map((s) => s.id),
    });

  it('charges in a local activity and books with the tickets in one more, in the workflow task that took the confirm', async () => {
    const { user, reservation } = await hold();
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    // Reads of the row, by the API and by the worker (both in this process, on the stack's knex).
    await eventually(async () => (await handle.query(stateQuery)).status === 'held');
    const reads: string[] = [];
    const onQuery = (q: { sql: string; bindings?: readonly unknown[] }) => {
      if (/^\s*select [\s\S]* from "?reservations"?\s/i.test(q.sql) && q.bindings?.includes(reservation.id)) reads.push(q.sql);
    };
    stack.knex.on('query', onQuery);
    // The API's reads of a reservation are raw statements on the pool, which knex does not report.
    const poolSql = rawSql.poolSql;
    const rawReads = jest.spyOn(rawSql, 'poolSql').mockImplementation((knex) => ({
      query: <R>(sql: string, bindings?: readonly unknown[]) => {
        onQuery({ sql, bindings });
        return poolSql(knex).query<R>(sql, bindings);
      },
    }));
    const res = await api
      .post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })
      .finally(() => {
        stack.knex.off('query', onQuery);
        rawReads.mockRestore();
      });
    expect(res.status).toBe(200);
    // One read (to find it and check its owner) before the Update, none after; and none by the
    // workflow, which takes that read's word (row_seen) that the hold committed.
    expect(reads).toHaveLength(1);
    // Built from the Update's result, not read again: exactly what a read shows.
    expect(res.body).toEqual((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body);
    expect(res.body).toMatchObject({ status: 'confirmed', payment_id: expect.stringMatching(/^pi_fake_/), payment_error: null, expires_at: reservation.expires_at });

    const steps = await stepsOf(handle);
    expect(steps.activities).toEqual([]);
    expect(steps.local.slice(-2)).toEqual(['chargePayment', 'confirmBooking']);
    expect(steps.local).not.toContain('confirmSeats');
    expect(steps.local).not.toContain('issueTickets');
    expect(steps.patches).toEqual(expect.arrayContaining(['charge-as-local-activity', 'confirm-and-issue-tickets-together']));
    // Accepted, charged, booked and answered in one workflow task.
    expect(steps.tasksWithinLastUpdate).toBe(0);

    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    const tickets = await stack.knex('tickets').where({ reservation_id: reservation.id }).orderBy('id').pluck('id');
    expect(tickets).toHaveLength(2);
    expect((await handle.query(stateQuery)).tickets_issued.sort()).toEqual(tickets);
    await recordHistory(handle, 'confirmed-charged-locally-with-tickets');
  });

  it('a declined card from the local charge answers 402 and keeps the hold; the next card charges under a new key', async () => {
    const { user, reservation } = await hold(1);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    const declined = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_declined' }, { token: user.token });
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ code: 'PAYMENT_DECLINED' });
    expect((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body).toMatchObject({ status: 'held', payment_error: expect.any(String) });

    const ok = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(ok.status).toBe(200);
    // The earlier attempt's error is cleared, as the row says.
    expect(ok.body).toEqual((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body);
    expect(ok.body.payment_error).toBeNull();
    expect(await stack.knex('payments').where({ reservation_id: reservation.id }).orderBy('idempotency_key').pluck('idempotency_key')).toEqual([
      `${reservation.id}:charge:1`,
      `${reservation.id}:charge:2`,
    ]);
    const steps = await stepsOf(handle);
    expect(steps.activities).toEqual([]);
    expect(steps.local.slice(-4)).toEqual(['chargePayment', 'markHeldAgain', 'chargePayment', 'confirmBooking']);
    await recordHistory(handle, 'declined-then-confirmed-charged-locally');
  });

  it('a payment confirmed later by the provider books with its tickets in one step too', async () => {
    const { user, reservation } = await hold();
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
    expect(res.status).toBe(202);
    // Not confirmed yet: this answer is the row as read after the Update.
    expect(res.body).toEqual((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body);
    await handle.signal(paymentSignal, { event_id: `evt_${reservation.id}`, type: 'payment_intent.succeeded', payment_id: res.body.payment_id });
    await waitForStatus(api, user.token, reservation.id, 'confirmed');
    // The row says confirmed at the step's COMMIT; its marker joins the history when the workflow task completes, a moment later.
    const steps = await eventually(async () => {
      const now = await stepsOf(handle);
      return now.local.includes('confirmBooking') ? now : undefined;
    });
    expect(steps.local.slice(-3)).toEqual(['markPaymentPending', 'recordPaymentOutcome', 'confirmBooking']);
    expect(await stack.knex('tickets').where({ reservation_id: reservation.id }).pluck('id')).toHaveLength(2);
    await recordHistory(handle, 'async-payment-confirmed-with-tickets-together');
  });
});
