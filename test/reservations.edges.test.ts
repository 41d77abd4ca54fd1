import { randomUUID } from 'node:crypto';
import { reservationWorkflow } from '../workflows';
import { reservationWorkflowId, stateQuery } from '../workflows/shared';
import { apiClient } from './helpers/http';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, eventually } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { withUnreachableTemporal } from './helpers/unreachableTemporal';
import { recordHistory } from './helpers/histories';

describe('the hold path at its edges', () => {
  const { stack } = useTestStack();

  it('Temporal unreachable at POST: 503 with Retry-After, and nothing is held', async () => {
    await withUnreachableTemporal(stack, async (api) => {
      const user = await createUser(stack.knex, stack.config.jwtSecret);
      const show = await createShowtime(stack.knex);
      const started = Date.now();
      const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ detail: expect.any(String), code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 0 }]);
      expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);

      const health = await api.get('/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ status: 'degraded', database: 'ok', temporal: 'unavailable' });
    });
  });

  /** The API's transaction, step by step, so a test can stop between the start and the commit. */
  async function beginHold(showtimeId: number, seatId: number, userId: number) {
    const id = randomUUID();
    const trx = await stack.knex.transaction();
    await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [id]);
    await trx('reservations').insert({
      id,
      user_id: userId,
      showtime_id: showtimeId,
      status: 'held',
      total_price: '10.00',
      hold_expires_at: new Date(Date.now() + 600_000),
      workflow_id: reservationWorkflowId(id),
    });
    await trx('reservation_seats').insert({ reservation_id: id, showtime_id: showtimeId, seat_id: seatId, price_at_booking: '10.00' });
    const handle = await stack.client.workflow.start(reservationWorkflow, {
      workflowId: reservationWorkflowId(id),
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ reservationId: id, cancellationCutoffMinutes: 60 }],
    });
    return { id, trx, handle };
  }

  it('a workflow whose transaction rolled back (a crash before the commit) ends abandoned, seats free', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const { trx, handle } = await beginHold(show.id, show.seats[0].id, user.id);
    await new Promise((r) => setTimeout(r, 300));
    await trx.rollback();
    await expect(handle.result()).resolves.toBe('abandoned');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    const history = await handle.fetchHistory();
    // One step ran, the check (a local activity, recorded as a marker); nothing else was touched.
    const events = history.events ?? [];
    const activities = events.filter((e) => e.activityTaskScheduledEventAttributes);
    const localActivities = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(activities).toHaveLength(0);
    expect(localActivities).toHaveLength(1);
    await recordHistory(handle, 'abandoned');
  });

  it('a workflow that starts before the commit waits for it and then owns the hold', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const { trx, handle } = await beginHold(show.id, show.seats[0].id, user.id);
    // The workflow's check waits on the transaction's advisory lock rather than reading too early.
    await eventually(async () => {
      const { rows } = await stack.knex.raw(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query ILIKE '%pg_advisory_xact_lock%'`,
      );
      return rows.length > 0;
    });
    await new Promise((r) => setTimeout(r, 300));
    await trx.commit();
    await eventually(async () => (await handle.query(stateQuery)).status === 'held');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[0].id]);
  });
});

describe('the hold against concurrent catalog changes', () => {
  const { stack } = useTestStack();

  it('a showtime deleted while a hold is in flight: the hold answers 404 and holds nothing', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    // The admin's DELETE, as the catalog runs it: lock the row, then soft-delete; not yet committed.
    const admin = await stack.knex.transaction();
    await admin('showtimes').where({ id: show.id }).forUpdate().first('id');
    await admin('showtimes').where({ id: show.id }).update({ is_deleted: true });
    const holding = apiClient(stack.baseUrl).post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    await eventually(async () => {
      // The hold's transaction waits for the admin's row lock (its FOR SHARE on the showtime).
      const { rows } = await stack.knex.raw(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%FROM showtimes WHERE id = % FOR SHARE%'`);
      return rows.length > 0;
    });
    await admin.commit();
    const res = await holding;
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('SHOWTIME_NOT_FOUND');
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 0 }]);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
  });
});
