import { startApiProcess, type ApiProcess } from '../helpers/apiProcess';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient } from '../helpers/http';
import { activeSeatIds, chargeCount, doubleBookedSeats, holdSeats, refundTotal, waitForStatus } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';

/**
 * The reservation flow, a race and an expiry on the production topology: a Temporal cluster of
 * four service processes on Postgres, two API processes (A with a long hold, B with a short
 * one) and two worker processes, each request of a flow on another API process than the last.
 */
const SHORT_TTL_SECONDS = 8;

describe('the reservation flow on a Temporal cluster, with 2 API processes and 2 workers', () => {
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
  }, 60_000);
  const { stack } = useTestStack({ worker: false, webhooks: false, env: { HOLD_TTL_SECONDS: '600' } }, 60_000);
  const a = () => apiClient(apis[0].baseUrl);
  const b = () => apiClient(apis[1].baseUrl);

  beforeAll(async () => {
    apis.push(...(await Promise.all([startApiProcess(stack.config), startApiProcess(stack.config, { HOLD_TTL_SECONDS: String(SHORT_TTL_SECONDS) })])));
    workers.push(...(await Promise.all([startWorkerProcess(stack.config), startWorkerProcess(stack.config)])));
  }, 120_000);

  it('holds on one API process, confirms on the other, charges once and cancels with a refund', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const hold = await holdSeats(a(), user.token, show.id, [show.seats[0].id, show.seats[1].id]);
    expect(hold.status).toBe('held');
    expect((await b().get(`/reservations/${hold.id}`, { token: user.token })).body).toMatchObject({ status: 'held' });
    const confirmed = await b().post(`/reservations/${hold.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    expect(await chargeCount(stack.knex, hold.id)).toBe(1);
    const cancelled = await a().post(`/reservations/${hold.id}/cancel`, {}, { token: user.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refund_amount: '20.00' });
    expect(await refundTotal(stack.knex, hold.id)).toEqual({ count: 1, cents: 2000 });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    // Both worker processes poll the task queue.
    const queue = await stack.client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: stack.config.temporal.taskQueue }, taskQueueType: 1 });
    const identities = new Set((queue.pollers ?? []).map((p) => p.identity));
    for (const w of workers) expect([...identities].some((i) => i?.startsWith(`${w.child.pid}@`))).toBe(true);
  });

  it('lets exactly one of many clients racing on both API processes hold the same seats', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 6 }] });
    const seats = [show.seats[2].id, show.seats[3].id];
    const users = await Promise.all(Array.from({ length: 10 }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const answers = await Promise.all(users.map((u, i) => (i % 2 ? a() : b()).post('/reservations', { showtime_id: show.id, seat_ids: seats }, { token: u.token })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 409)).toBe(true);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([...seats].sort((x, y) => x - y));
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
  });

  it('expires an unconfirmed hold on its durable timer and frees the seats for the next client', async () => {
    const [first, second] = await Promise.all([createUser(stack.knex, stack.config.jwtSecret), createUser(stack.knex, stack.config.jwtSecret)]);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const hold = await holdSeats(b(), first.token, show.id, [show.seats[0].id]);
    expect(Date.parse(hold.expires_at) - Date.now()).toBeLessThanOrEqual(SHORT_TTL_SECONDS * 1000);
    await waitForStatus(a(), first.token, hold.id, 'expired', 90_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    expect(await chargeCount(stack.knex, hold.id)).toBe(0);
    const late = await b().post(`/reservations/${hold.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: first.token });
    expect(late.status).toBe(409);
    expect((await holdSeats(a(), second.token, show.id, [show.seats[0].id])).status).toBe('held');
  }, 120_000);
});
