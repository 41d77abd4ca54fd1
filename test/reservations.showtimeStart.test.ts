import { reservationWorkflow } from '../workflows';
import { stateQuery } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { chargeCount, eventually, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

// Issue 23, payments 3: nobody pays for seats at a show that is already running.
describe('a hold placed shortly before its show', () => {
  const { stack, api } = useTestStack();

  const untilStarted = async (startsAt: Date) => new Promise((r) => setTimeout(r, Math.max(0, startsAt.getTime() - Date.now()) + 300));

  it('expires at the showtime start, and a confirm after the start is refused with 409 SHOWTIME_STARTED, charging nothing', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { startsInMinutes: 3 / 60 });
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(held.status).toBe(201);
    // HOLD_TTL_SECONDS is 600: the start comes first.
    expect(held.body.expires_at).toBe(show.startsAt.toISOString());
    const handle = stack.client.workflow.getHandle(held.body.workflow_id);
    await eventually(async () => (await handle.query(stateQuery)).status === 'held');
    expect((await handle.query(stateQuery)).hold_expires_at).toBe(show.startsAt.toISOString());

    await untilStarted(show.startsAt);
    const res = await api.post(`/reservations/${held.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: expect.any(String), code: 'SHOWTIME_STARTED' });
    expect(await chargeCount(stack.knex, held.body.id)).toBe(0);
    await waitForStatus(api, user.token, held.body.id, 'expired', 5_000);
  });

  it("the workflow's confirm validator refuses after the start even for a hold that outlasts it (one made before the cap)", async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { startsInMinutes: 2 / 60 });
    await stack.stopWorker();
    let held;
    try {
      held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
      expect(held.status).toBe(201);
      // As an API without the cap would have written it, and started its workflow: before the hold's
      // facts were an input (patch hold-facts-from-input), so the workflow reads the row when it starts.
      await stack.knex('reservations').where({ id: held.body.id }).update({ hold_expires_at: stack.knex.raw(`now() + interval '10 minutes'`) });
      await stack.client.workflow.start(reservationWorkflow, {
        workflowId: held.body.workflow_id,
        taskQueue: stack.config.temporal.taskQueue,
        args: [{ reservationId: held.body.id, cancellationCutoffMinutes: stack.config.cancellationCutoffMinutes }],
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      });
    } finally {
      await stack.startWorker();
    }
    const handle = stack.client.workflow.getHandle(held.body.workflow_id);
    await eventually(async () => (await handle.query(stateQuery)).status === 'held');

    await untilStarted(show.startsAt);
    const res = await api.post(`/reservations/${held.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: expect.any(String), code: 'SHOWTIME_STARTED' });
    expect(await chargeCount(stack.knex, held.body.id)).toBe(0);
    expect((await api.get(`/reservations/${held.body.id}`, { token: user.token })).body).toMatchObject({ status: 'held', payment_id: null });
    expect((await handle.query(stateQuery)).payment_attempts).toBe(0);
    await handle.executeUpdate('cancel', { args: [{ reason: 'test over' }] });
    await handle.result();
    await recordHistory(handle, 'confirm-refused-after-showtime-start');
  });
});
