import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { startApiProcess, type ApiProcess } from '../helpers/apiProcess';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient } from '../helpers/http';
import { doubleBookedSeats } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { startWorkerProcess, type WorkerProcess } from '../helpers/workerProcess';
import { runProbe, summarize, untrueAnswers } from '../helpers/faultProbe';
import { temporalDatabases } from './helpers/temporalServices';

/**
 * Every Postgres backend of the app's database and of Temporal's two terminated
 * (pg_terminate_backend), five times, 2 s apart, while clients hold, confirm and cancel through
 * two API processes with two workers: the API, the workers and all four Temporal services lose
 * their connections at once. Every answer must match the final state; nothing is lost.
 */
const CLIENTS = 8;
const KILLS = 5;
const KILL_EVERY_MS = 2000;

describe('every Postgres connection of the app and of Temporal killed under traffic', () => {
  let killer: Knex;
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
    await killer?.destroy();
  }, 60_000);
  const { stack } = useTestStack({ worker: false, webhooks: false, env: { HOLD_TTL_SECONDS: '3600' } }, 60_000);

  beforeAll(async () => {
    (stack.knex.client as { logger: { warn: (message: string) => void } }).logger.warn = () => undefined;
    killer = knexFactory({ ...knexConfig(stack.config.databaseUrl), pool: { min: 1, max: 1 } });
    apis.push(...(await Promise.all([startApiProcess(stack.config), startApiProcess(stack.config)])));
    workers.push(...(await Promise.all([startWorkerProcess(stack.config), startWorkerProcess(stack.config)])));
  }, 120_000);

  it('answers only what is true', async () => {
    const databases = [new URL(stack.config.databaseUrl).pathname.slice(1), ...temporalDatabases()];
    expect(databases).toHaveLength(3);
    const show = await createShowtime(stack.knex, { rows: ['A', 'B', 'C', 'D'].map((row) => ({ row, seats: 20 })) });
    const users = await Promise.all(Array.from({ length: CLIENTS }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const probe = runProbe(apis.map((p) => apiClient(p.baseUrl)), users, show.id, show.seats.map((s) => s.id));
    let terminated = 0;
    for (let k = 0; k < KILLS; k += 1) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
      const { rows } = await killer.raw<{ rows: unknown[] }>(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY(?) AND pid <> pg_backend_pid()',
        [databases],
      );
      terminated += rows.length;
    }
    probe.stop();
    await probe.done;
    console.log(`answers: ${summarize(probe.answers)}`);
    // Temporal's services hold connections of their own: more than the app's alone were cut.
    expect(terminated).toBeGreaterThan(KILLS * 5);
    expect(probe.answers.filter((x) => x.step === 'hold' && x.status === 201).length).toBeGreaterThan(5);
    expect(await untrueAnswers(stack, users, probe.answers)).toEqual([]);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
  }, 300_000);
});
