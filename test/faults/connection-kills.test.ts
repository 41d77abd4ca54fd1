import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { createShowtime, createUser } from '../helpers/factories';
import { runProbe, untrueAnswers } from '../helpers/faultProbe';
import { doubleBookedSeats } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';

/**
 * The fault probe of the hardening issue, as a test: while 12 clients hold, confirm and cancel,
 * every Postgres backend of the app (API and worker alike) is terminated, six times, 1.5 s
 * apart. Afterwards each answer is held against the final state: a 201 hold exists, a 200
 * confirm is confirmed and charged once, a 200 cancel is cancelled, and a 503 changed nothing.
 */
const CLIENTS = 12;
const KILLS = 6;
const KILL_EVERY_MS = 1500;

describe('every Postgres connection of the app killed repeatedly under traffic', () => {
  let killer: Knex;
  // Registered before the stack's hooks: the killer's connection goes before the stack closes.
  afterAll(async () => {
    await killer?.destroy();
  });
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '3600' }, webhooks: false }, 60_000);

  beforeAll(() => {
    // knex logs every connection it loses; here they are the point.
    (stack.knex.client as { logger: { warn: (message: string) => void } }).logger.warn = () => undefined;
    killer = knexFactory({ ...knexConfig(stack.config.databaseUrl), pool: { min: 1, max: 1 } });
  });

  it('answers only what is true', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 20 }, { row: 'B', seats: 20 }, { row: 'C', seats: 20 }, { row: 'D', seats: 20 }] });
    const users = await Promise.all(Array.from({ length: CLIENTS }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const probe = runProbe([api], users, show.id, show.seats.map((seat) => seat.id));

    for (let k = 0; k < KILLS; k += 1) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
      await killer.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    }
    probe.stop();
    await probe.done;

    const holds = probe.answers.filter((a) => a.step === 'hold');
    expect(holds.filter((a) => a.status === 201).length).toBeGreaterThan(10);
    const violations = await untrueAnswers(stack, users, probe.answers, 60_000);
    // On the code before this test, 1 to 3 of about 150 answers per run were untrue here.
    expect(violations).toEqual([]);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
  }, 240_000);
});
