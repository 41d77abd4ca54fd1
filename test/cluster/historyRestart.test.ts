import { startApiProcess, type ApiProcess } from '../helpers/apiProcess';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient } from '../helpers/http';
import { activeSeatIds, chargeCount, doubleBookedSeats, holdSeats, waitForStatus } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { runProbe, summarize, untrueAnswers } from '../helpers/faultProbe';
import { killService, servicePid, startService } from './helpers/temporalServices';

/**
 * The history service process killed (SIGKILL) while clients hold, confirm and cancel through
 * two API processes with two workers, and started again some seconds later. Holds whose
 * deadline passes while it is down must still expire on their timers; every answer given must
 * match the final database and workflow state; nothing is charged twice.
 */
const CLIENTS = 8;
const DOWN_MS = 5000;
const SHORT_TTL_SECONDS = 10;

describe('the history service killed and restarted under traffic', () => {
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    if (!servicePid('history')) await startService('history');
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
  }, 90_000);
  const { stack } = useTestStack({ worker: false, webhooks: false, env: { HOLD_TTL_SECONDS: '3600' } }, 60_000);

  beforeAll(async () => {
    (stack.knex.client as { logger: { warn: (message: string) => void } }).logger.warn = () => undefined;
    apis.push(...(await Promise.all([startApiProcess(stack.config), startApiProcess(stack.config), startApiProcess(stack.config, { HOLD_TTL_SECONDS: String(SHORT_TTL_SECONDS) })])));
    workers.push(...(await Promise.all([startWorkerProcess(stack.config), startWorkerProcess(stack.config)])));
  }, 120_000);

  it('loses no hold, misses no timer and charges nothing twice', async () => {
    const [a, b, short] = apis.map((p) => apiClient(p.baseUrl));
    const show = await createShowtime(stack.knex, { rows: ['A', 'B', 'C', 'D'].map((row) => ({ row, seats: 20 })) });
    const users = await Promise.all(Array.from({ length: CLIENTS }, () => createUser(stack.knex, stack.config.jwtSecret)));
    // Short holds whose deadline passes while history is down: only their durable timers release them.
    const expiring = await Promise.all(show.seats.slice(0, 3).map((s, i) => holdSeats(short, users[i].token, show.id, [s.id])));
    const probe = runProbe([a, b], users, show.id, show.seats.slice(3).map((s) => s.id));

    await new Promise((r) => setTimeout(r, 3000));
    await killService('history');
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await startService('history');
    // Traffic goes on a while with the new history process, then stops.
    await new Promise((r) => setTimeout(r, 8000));
    probe.stop();
    await probe.done;

    console.log(`answers: ${summarize(probe.answers)}`);
    const holds = probe.answers.filter((x) => x.step === 'hold');
    expect(holds.filter((x) => x.status === 201).length).toBeGreaterThan(5);
    expect(await untrueAnswers(stack, users, probe.answers)).toEqual([]);
    for (const [i, hold] of expiring.entries()) {
      await waitForStatus(a, users[i].token, hold.id, 'expired', 120_000);
      expect(await chargeCount(stack.knex, hold.id)).toBe(0);
    }
    const active = await activeSeatIds(stack.knex, show.id);
    for (const s of show.seats.slice(0, 3)) expect(active).not.toContain(s.id);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
  }, 300_000);
});
