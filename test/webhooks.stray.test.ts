import { stateQuery } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { activeSeatIds, eventually, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { paymentEvent, postWebhook } from './helpers/webhooks';

// Issue 23, payments 2: nothing an outside party sends may keep a hold from expiring on time.
describe('a success for a payment we never made', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '2' } });

  it('is rejected, refunds nothing, and the hold still expires on time', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(held.status).toBe(201);
    const strayId = `pi_never_made_${held.body.id}`;
    const event = paymentEvent({ id: `evt_stray_${held.body.id}`, type: 'payment_intent.succeeded', paymentId: strayId, reservationId: held.body.id });
    const res = await postWebhook(api, event, stack.config.paymentWebhookSecret);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('rejected');

    const handle = stack.client.workflow.getHandle(held.body.workflow_id);
    await eventually(async () => (await handle.query(stateQuery)).rejected_payment_events.length > 0);
    expect((await handle.query(stateQuery)).rejected_payment_events).toEqual([{ event_id: event.id, payment_id: strayId, reason: 'unknown_payment' }]);

    const expired = await waitForStatus(api, user.token, held.body.id, 'expired', 10_000);
    const row = await stack.knex('reservations').where({ id: held.body.id }).first('hold_expires_at', 'expired_at');
    expect(new Date(row.expired_at).getTime() - new Date(row.hold_expires_at).getTime()).toBeLessThan(2_000);
    expect(expired.status).toBe('expired');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    expect(await handle.result()).toBe('expired');
    expect(await stack.knex('fake_provider_refunds').where({ charge_id: strayId }).count({ c: '*' })).toEqual([{ c: 0 }]);
    await recordHistory(handle, 'payment-event-rejected-then-expired');
  });
});
