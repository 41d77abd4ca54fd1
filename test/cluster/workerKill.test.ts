import { startApiProcess, type ApiProcess } from '../helpers/apiProcess';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient } from '../helpers/http';
import { activeSeatIds, chargeCount, confirmStalledOnRow, eventually, waitForStatus } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';

/**
 * A worker process killed (SIGKILL) in the middle of a confirm, on the cluster: the other
 * worker finishes it, with one charge. As test/scaleout.test.ts on the dev server.
 */
describe('a worker killed during a confirm on a Temporal cluster', () => {
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
  }, 60_000);
  const { stack } = useTestStack({ worker: false, webhooks: false, env: { HOLD_TTL_SECONDS: '600' } }, 60_000);

  beforeAll(async () => {
    apis.push(...(await Promise.all([startApiProcess(stack.config), startApiProcess(stack.config)])));
  }, 120_000);

  it('lets the other worker finish the confirm, charging once', async () => {
    const a = apiClient(apis[0].baseUrl);
    const b = apiClient(apis[1].baseUrl);
    // Worker A alone when the hold starts, so the workflow sticks to it; B joins afterwards.
    const workerA = await startWorkerProcess(stack.config);
    workers.push(workerA);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const hold = await a.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[1].id] }, { token: user.token });
    expect(hold.status).toBe(201);
    const id = hold.body.id as string;
    await eventually(async () => (await stack.knex('reservations').where({ id }).first()).status === 'held');
    const workerB = await startWorkerProcess(stack.config);
    workers.push(workerB);

    // Hold the reservation's row: the confirm's step after the charge waits on it inside worker A.
    const stalled = await confirmStalledOnRow(stack.knex, id, () => b.post(`/reservations/${id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token }), 60_000);
    expect(await chargeCount(stack.knex, id)).toBe(1);

    await workerA.kill();
    await stalled.release();

    const answer = await stalled.answer;
    // 200 once worker B finished it, or 202 if the answer came late: either way it completes.
    expect([200, 202]).toContain(answer.status);
    await waitForStatus(a, user.token, id, 'confirmed', 60_000);
    expect(await chargeCount(stack.knex, id)).toBe(1);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([show.seats[1].id]);
    const history = await stack.client.workflow.getHandle(hold.body.workflow_id).fetchHistory();
    const completedBy = (history.events ?? []).map((e) => e.workflowTaskCompletedEventAttributes?.identity).filter((i): i is string => !!i);
    expect(completedBy[0]).toMatch(new RegExp(`^${workerA.child.pid}@`));
    expect(completedBy[completedBy.length - 1]).toMatch(new RegExp(`^${workerB.child.pid}@`));
  }, 180_000);
});
