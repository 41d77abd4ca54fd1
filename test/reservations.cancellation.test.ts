import { WorkflowFailedError } from '@temporalio/client';
import { cancelSignal, stateQuery } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, eventually, holdOnNewShowtime, refundTotal, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

describe('an operator\'s "Request Cancellation" in the Web UI does not strand seats or money', () => {
  const { stack, api } = useTestStack({ webhooks: false });

  const hold = () => holdOnNewShowtime(stack, api, { seats: (show) => [show.seats[0].id, show.seats[1].id] });

  it('a cancelled hold releases its seats and ends cancelled', async () => {
    const { user, show, reservation } = await hold();
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    await eventually(async () => (await handle.query(stateQuery)).status === 'held');
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const after = await waitForStatus(api, user.token, reservation.id, 'cancelled');
    expect(after).toMatchObject({ refund_amount: '0.00', cancel_reason: expect.stringContaining('operator') });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
  });

  it('a cancelled paid booking is refunded in full and its seats released', async () => {
    const { user, show, reservation } = await hold();
    expect((await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).status).toBe(200);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(await waitForStatus(api, user.token, reservation.id, 'cancelled')).toMatchObject({ refund_amount: '20.00' });
    expect(await refundTotal(stack.knex, reservation.id)).toEqual({ count: 1, cents: 2000 });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
  });

  it('a cancel signal whose reason carries a NUL (typed by hand) still releases the seats', async () => {
    const { user, show, reservation } = await hold();
    await stack.client.workflow.getHandle(reservation.workflow_id).signal(cancelSignal, { reason: 'dup\u0000licate' });
    expect(await waitForStatus(api, user.token, reservation.id, 'cancelled')).toMatchObject({ cancel_reason: 'duplicate' });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
  });

  it('a refused cancel signal says why in the state query, and odd input is tolerated', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { startsInMinutes: 30 });
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    await api.post(`/reservations/${held.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    const handle = stack.client.workflow.getHandle(held.body.workflow_id);
    // As a hand-typed Web UI input might be: a number where text belongs.
    await handle.signal(cancelSignal, { reason: 42 as unknown as string });
    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.last_refused_cancel ? s : undefined;
    });
    expect(state).toMatchObject({ status: 'confirmed', last_refused_cancel: expect.stringContaining('60 minutes') });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[0].id]);
  });
});
