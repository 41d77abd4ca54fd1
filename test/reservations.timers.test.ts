import { searchAttributes } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, chargeCount, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { recordHistory } from './helpers/histories';

describe('durable timers: hold expiry and completion at show time', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '2', CANCELLATION_CUTOFF_MINUTES: '0' } });

  it('expires an unconfirmed hold on its timer and frees the seats at once', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const seatIds = [show.seats[0].id, show.seats[1].id];
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: seatIds }, { token: user.token });
    expect(res.status).toBe(201);
    const expired = await waitForStatus(api, user.token, res.body.id, 'expired', 10_000);
    const lagMs = Date.parse(expired.expired_at) - Date.parse(res.body.expires_at);
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    const handle = stack.client.workflow.getHandle(res.body.workflow_id);
    await expect(handle.result()).resolves.toBe('expired');
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.ReservationStatus)).toBe('expired');

    const late = await api.post(`/reservations/${res.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('HOLD_EXPIRED');
    const cancel = await api.post(`/reservations/${res.body.id}/cancel`, undefined, { token: user.token });
    expect(cancel.status).toBe(409);
    expect(await chargeCount(stack.knex, res.body.id)).toBe(0);

    const again = await api.post('/reservations', { showtime_id: show.id, seat_ids: seatIds }, { token: user.token });
    expect(again.status).toBe(201);
    await recordHistory(handle, 'hold-expired');
  });

  it('keeps a hold whose payment was declined on the same timer', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    const declined = await api.post(`/reservations/${res.body.id}/confirm`, { payment_method: 'pm_card_declined' }, { token: user.token });
    expect(declined.status).toBe(402);
    const expired = await waitForStatus(api, user.token, res.body.id, 'expired', 10_000);
    expect(expired.expires_at).toBe(res.body.expires_at);
  });

  it('a confirmed booking sleeps until the show ends, then completes and ends', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { startsInMinutes: 0.05, endsInMinutes: 0.15 });
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(res.status).toBe(201);
    const ok = await api.post(`/reservations/${res.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(ok.status).toBe(200);
    const completed = await waitForStatus(api, user.token, res.body.id, 'completed', 15_000);
    // Not at the start: the booking completes once the show is over (patch complete-at-show-end).
    expect(Date.parse(completed.completed_at)).toBeGreaterThanOrEqual(show.endsAt.getTime());
    await expect(stack.client.workflow.getHandle(res.body.workflow_id).result()).resolves.toBe('completed');
    // `confirmed-then-completed` is the recording from before the patch (completion at the start).
    await recordHistory(stack.client.workflow.getHandle(res.body.workflow_id), 'completed-at-show-end');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[0].id]);
  });
});
