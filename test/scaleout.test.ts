import { randomUUID } from 'node:crypto';
import { createShowtime, createUser } from './helpers/factories';
import { apiClient } from './helpers/http';
import { startApiProcess, type ApiProcess } from './helpers/apiProcess';
import { activeSeatIds, chargeCount, confirmStalledOnRow, eventually, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { startWorkerProcess, type WorkerProcess } from './helpers/workerProcess';

/**
 * Scale-out: two API processes and two workers on one Temporal and one Postgres. Nothing the
 * reservation flow needs lives in one process's memory: a hold made on one API is confirmed on
 * the other, a worker killed in the middle of a confirm leaves it to the other worker, and the
 * login backoff and idempotency keys hold across processes (both kept in Postgres).
 */
describe('two API processes and two workers', () => {
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
  }, 60_000);
  const { stack } = useTestStack({ worker: false, webhooks: false, env: { HOLD_TTL_SECONDS: '600', LOGIN_BACKOFF_FREE_FAILURES: '3' } }, 60_000);
  const a = () => apiClient(apis[0].baseUrl);
  const b = () => apiClient(apis[1].baseUrl);

  beforeAll(async () => {
    apis.push(...(await Promise.all([startApiProcess(stack.config), startApiProcess(stack.config)])));
  }, 60_000);

  it('holds on one API process and confirms on the other, once, with both workers running', async () => {
    workers.push(await startWorkerProcess(stack.config), await startWorkerProcess(stack.config));
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const hold = await a().post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(hold.status).toBe(201);
    expect((await b().get(`/reservations/${hold.body.id}`, { token: user.token })).body).toMatchObject({ status: 'held' });
    const confirmed = await b().post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    expect(await chargeCount(stack.knex, hold.body.id)).toBe(1);
    // The other API cancels it: the workflow is reached from any process.
    expect((await a().post(`/reservations/${hold.body.id}/cancel`, {}, { token: user.token })).body).toMatchObject({ status: 'cancelled', refund_amount: '10.00' });
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  }, 120_000);

  it('finishes a confirm on the other worker when the one running it is killed mid-way', async () => {
    // Worker A alone when the hold starts, so the workflow sticks to it; B joins afterwards.
    const workerA = await startWorkerProcess(stack.config);
    workers.push(workerA);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const hold = await a().post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[1].id] }, { token: user.token });
    expect(hold.status).toBe(201);
    const id = hold.body.id as string;
    await eventually(async () => (await stack.knex('reservations').where({ id }).first()).status === 'held');
    workers.push(await startWorkerProcess(stack.config));

    // Hold the row (not its key, so the payment row can still reference it): the confirm's
    // confirmBooking step, after the charge, waits on it inside worker A.
    const stalled = await confirmStalledOnRow(stack.knex, id, () => b().post(`/reservations/${id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token }), 30_000);
    expect(await chargeCount(stack.knex, id)).toBe(1);

    await workerA.kill();
    await stalled.release();

    const answer = await stalled.answer;
    // 200 once worker B finished it, or 202 if the answer came late: either way it completes.
    expect([200, 202]).toContain(answer.status);
    await waitForStatus(b(), user.token, id, 'confirmed', 30_000);
    expect(await chargeCount(stack.knex, id)).toBe(1);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[1].id]);
    // The history says who did what: worker A ran the workflow until it died, worker B after it.
    const history = await stack.client.workflow.getHandle(hold.body.workflow_id).fetchHistory();
    const completedBy = (history.events ?? []).map((e) => e.workflowTaskCompletedEventAttributes?.identity).filter((i): i is string => !!i);
    expect(completedBy[0]).toMatch(new RegExp(`^${workerA.child.pid}@`));
    expect(completedBy[completedBy.length - 1]).toMatch(new RegExp(`^${workers[1].child.pid}@`));
  }, 120_000);

  it('shares the login backoff and idempotency keys between the API processes', async () => {
    const email = `scale-${randomUUID()}@example.test`;
    expect((await a().post('/auth/user/signup', { name: 'Scale', email, password: 'correct horse battery' })).status).toBe(201);
    // Three free failures (LOGIN_BACKOFF_FREE_FAILURES), spread over both processes; then both refuse.
    const statuses = [];
    for (const api of [a(), b(), a()]) statuses.push((await api.post('/auth/login', { email, password: 'wrong password' })).status);
    expect(statuses).toEqual([401, 401, 401]);
    const refused = await b().post('/auth/login', { email, password: 'correct horse battery' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await a().post('/auth/login', { email, password: 'correct horse battery' })).status).toBe(429);

    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const body = { showtime_id: show.id, seat_ids: [show.seats[2].id] };
    const key = { token: user.token, headers: { 'idempotency-key': `k-${randomUUID()}` } };
    // The same request to both processes at once, then once more: one reservation, one hold.
    const [first, second] = await Promise.all([a().post('/reservations', body, key), b().post('/reservations', body, key)]);
    const again = await b().post('/reservations', body, key);
    expect([first.status, second.status, again.status]).toEqual([201, 201, 201]);
    expect(new Set([first.body.id, second.body.id, again.body.id]).size).toBe(1);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[2].id]);
    const [{ count }] = await stack.knex('reservations').where({ user_id: user.id }).count<{ count: string | number }[]>('* as count');
    expect(Number(count)).toBe(1);
  }, 60_000);
});
