import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { idempotentReservationId } from '../../src/reservations/idempotency';
import { reservationWorkflowId } from '../../workflows/shared';
import { createShowtime, createUser } from '../helpers/factories';
import type { ApiResponse } from '../helpers/http';
import { chargeCount, doubleBookedSeats, eventually } from '../helpers/reservations';
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

type Step = 'hold' | 'confirm' | 'cancel';
interface Answer {
  step: Step;
  key: string;
  status: number;
}

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
    const answers: Answer[] = [];
    let stop = false;
    let nextSeat = 0;

    const record = (step: Step, key: string, res: ApiResponse | null) => {
      // A request cut off without any answer promised nothing.
      if (res) answers.push({ step, key, status: res.status });
      return res;
    };
    const post = (path: string, body: unknown, token: string, key: string) =>
      api.post(path, body, { token, headers: { 'idempotency-key': key } }).catch(() => null);

    async function client(i: number) {
      const user = users[i];
      for (let round = 0; !stop && nextSeat < show.seats.length; round += 1) {
        const seat = show.seats[nextSeat++];
        const key = `probe-${i}-${round}`;
        const held = record('hold', key, await post('/reservations', { showtime_id: show.id, seat_ids: [seat.id] }, user.token, key));
        if (held?.status !== 201) continue;
        const id = held.body.id as string;
        if (round % 3 === 2) record('cancel', key, await post(`/reservations/${id}/cancel`, {}, user.token, `${key}-cancel`));
        else record('confirm', key, await post(`/reservations/${id}/confirm`, { payment_method: 'pm_card_visa' }, user.token, `${key}-confirm`));
      }
    }

    async function killAll() {
      for (let k = 0; k < KILLS; k += 1) {
        await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
        await killer.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      }
      stop = true;
    }

    await Promise.all([killAll(), ...Array.from({ length: CLIENTS }, (_, i) => client(i))]);

    const userOf = (key: string) => users[Number(key.split('-')[1])];
    const reservationOf = (key: string) => idempotentReservationId(userOf(key).id, key);
    const stored = async (key: string) =>
      (await stack.knex('reservations').where({ id: reservationOf(key) }).first('status')) as { status: string } | undefined;
    // Settle: every workflow that owns a hold or a charge has finished its step.
    const settled = async (key: string) => {
      const handle = stack.client.workflow.getHandle(reservationWorkflowId(reservationOf(key)));
      return eventually(async () => {
        const status = (await stored(key))?.status;
        if (status !== undefined && !['held', 'confirmed', 'cancelled'].includes(status)) return { status };
        const description = await handle.describe().catch(() => undefined);
        const phase = description ? await handle.query('state').catch(() => undefined) : undefined;
        const busy = ['checking', 'charging', 'cancelling'].includes((phase as { status?: string } | undefined)?.status ?? '');
        return busy ? undefined : { status };
      }, 60_000, 200);
    };

    const holds = answers.filter((a) => a.step === 'hold');
    expect(holds.filter((a) => a.status === 201).length).toBeGreaterThan(10);
    const violations: string[] = [];
    for (const a of answers) {
      const { status } = await settled(a.key);
      const charges = await chargeCount(stack.knex, reservationOf(a.key));
      const active = await stack.knex('reservation_seats').where({ reservation_id: reservationOf(a.key), is_active: true }).count<{ c: number }[]>({ c: '*' });
      const said = `${a.step} ${a.key} answered ${a.status}, then status=${status ?? 'none'} charges=${charges}`;
      if (a.step === 'hold' && a.status === 201 && !status) violations.push(said);
      if (a.step === 'hold' && a.status === 503 && Number(active[0].c) > 0 && !answers.some((b) => b.key === a.key && b.step === 'hold' && b.status === 201)) {
        violations.push(said);
      }
      if (a.step === 'confirm' && a.status === 200 && (status !== 'confirmed' || charges !== 1)) violations.push(said);
      if (a.step === 'confirm' && a.status === 503 && (status === 'confirmed' || charges !== 0)) {
        // A later retry may have confirmed it; here nothing retries, so a 503 confirm must have left the hold alone.
        violations.push(said);
      }
      if (a.step === 'cancel' && a.status === 200 && status !== 'cancelled') violations.push(said);
      if (a.step === 'cancel' && a.status === 503 && status === 'cancelled') violations.push(said);
      if (a.status >= 500 && a.status !== 503) violations.push(said);
    }
    // On the code before this test, 1 to 3 of about 150 answers per run were untrue here.
    expect(violations).toEqual([]);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
  }, 240_000);
});
