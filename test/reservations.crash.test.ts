import { paymentSignal } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, chargeCount, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { startWorkerProcess, type WorkerProcess } from './helpers/workerProcess';

describe('a worker killed while holds are open', () => {
  let worker: WorkerProcess | undefined;
  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    await worker?.stop();
  });
  const { stack, api } = useTestStack({ worker: false, env: { HOLD_TTL_SECONDS: '15' } });

  it('loses nothing: a new worker fires the timers, takes confirms and payment signals, charges once', async () => {
    worker = await startWorkerProcess(stack.config);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const [s1, s2, s3] = show.seats.map((s) => s.id);
    const toExpire = (await api.post('/reservations', { showtime_id: show.id, seat_ids: [s1] }, { token: user.token })).body;
    const toConfirm = (await api.post('/reservations', { showtime_id: show.id, seat_ids: [s2] }, { token: user.token })).body;
    const pending = (await api.post('/reservations', { showtime_id: show.id, seat_ids: [s3] }, { token: user.token })).body;
    const asyncPay = await api.post(`/reservations/${pending.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token });
    expect(asyncPay.status).toBe(202);

    await worker.kill();
    // While no worker runs, the provider reports the asynchronous payment; Temporal keeps the signal.
    await stack.client.workflow
      .getHandle(pending.workflow_id)
      .signal(paymentSignal, { event_id: `evt_${pending.id}`, type: 'payment_intent.succeeded', payment_id: asyncPay.body.payment_id });
    worker = await startWorkerProcess(stack.config);

    const confirmed = await api.post(`/reservations/${toConfirm.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');
    await waitForStatus(api, user.token, pending.id, 'confirmed', 20_000);
    await waitForStatus(api, user.token, toExpire.id, 'expired', 30_000);

    expect(await activeSeatIds(stack.knex, show.id)).toEqual([s2, s3]);
    expect(await chargeCount(stack.knex, toConfirm.id)).toBe(1);
    expect(await chargeCount(stack.knex, pending.id)).toBe(1);
    expect(await chargeCount(stack.knex, toExpire.id)).toBe(0);
  }, 90_000);
});
