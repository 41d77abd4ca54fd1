import { idempotentReservationId } from '../../src/reservations/idempotency';
import { reservationWorkflowId } from '../../workflows/shared';
import type { ApiClient, ApiResponse } from './http';
import { chargeCount, eventually } from './reservations';
import type { TestStack } from './stack';

/**
 * The fault probe of test/faults/connection-kills.test.ts and the cluster's fault tests, over one
 * or several API processes:
 * clients hold one seat each, then confirm (two rounds in three) or cancel it, each request
 * with an idempotency key, until told to stop. Every answer is recorded, to be held against the
 * final state of the database and the workflows afterwards.
 */
type Step = 'hold' | 'confirm' | 'cancel';
export interface Answer {
  step: Step;
  key: string;
  status: number;
}

export interface ProbeUser {
  id: number;
  token: string;
}

export interface Probe {
  answers: Answer[];
  /** Ends the clients' loops after their current request. */
  stop(): void;
  /** Resolves when every client has stopped. */
  done: Promise<void>;
}

export function runProbe(apis: ApiClient[], users: ProbeUser[], showtimeId: number, seatIds: number[]): Probe {
  const answers: Answer[] = [];
  let stopped = false;
  let nextSeat = 0;
  const record = (step: Step, key: string, res: ApiResponse | null) => {
    // A request cut off without any answer promised nothing.
    if (res) answers.push({ step, key, status: res.status });
    return res;
  };
  async function client(i: number) {
    const user = users[i];
    for (let round = 0; !stopped && nextSeat < seatIds.length; round += 1) {
      const api = apis[(i + round) % apis.length];
      const post = (path: string, body: unknown, key: string) =>
        api.post(path, body, { token: user.token, headers: { 'idempotency-key': key } }).catch(() => null);
      const seat = seatIds[nextSeat++];
      const key = `probe-${i}-${round}`;
      const held = record('hold', key, await post('/reservations', { showtime_id: showtimeId, seat_ids: [seat] }, key));
      if (held?.status !== 201) continue;
      const id = held.body.id as string;
      // The next step on another API process than the hold.
      const next = apis[(i + round + 1) % apis.length];
      const step = (path: string, body: unknown, k: string) =>
        next.post(path, body, { token: user.token, headers: { 'idempotency-key': k } }).catch(() => null);
      if (round % 3 === 2) record('cancel', key, await step(`/reservations/${id}/cancel`, {}, `${key}-cancel`));
      else record('confirm', key, await step(`/reservations/${id}/confirm`, { payment_method: 'pm_card_visa' }, `${key}-confirm`));
    }
  }
  const done = Promise.all(users.map((_, i) => client(i))).then(() => undefined);
  return { answers, stop: () => (stopped = true), done };
}

/**
 * Each answer against the final state, once every workflow has finished its step: a 201 hold
 * exists, a 200 confirm is confirmed and charged once, a 200 cancel is cancelled, a 503 changed
 * nothing, and no other 5xx. Returns the violations (empty when every answer was true).
 */
export async function untrueAnswers(
  stack: Pick<TestStack, 'knex' | 'client'>,
  users: ProbeUser[],
  answers: Answer[],
  settleMs = 120_000,
): Promise<string[]> {
  const userOf = (key: string) => users[Number(key.split('-')[1])];
  const reservationOf = (key: string) => idempotentReservationId(userOf(key).id, key);
  const stored = async (key: string) => (await stack.knex('reservations').where({ id: reservationOf(key) }).first('status')) as { status: string } | undefined;
  const settled = async (key: string) => {
    const handle = stack.client.workflow.getHandle(reservationWorkflowId(reservationOf(key)));
    return eventually(async () => {
      const status = (await stored(key))?.status;
      if (status !== undefined && !['held', 'confirmed', 'cancelled'].includes(status)) return { status };
      const description = await handle.describe().catch(() => undefined);
      const phase = description ? await handle.query('state').catch(() => undefined) : undefined;
      const busy = ['checking', 'charging', 'cancelling'].includes((phase as { status?: string } | undefined)?.status ?? '');
      return busy ? undefined : { status };
    }, settleMs, 250);
  };
  const violations: string[] = [];
  for (const a of answers) {
    const { status } = await settled(a.key);
    const charges = await chargeCount(stack.knex, reservationOf(a.key));
    const [{ c: active }] = await stack.knex('reservation_seats').where({ reservation_id: reservationOf(a.key), is_active: true }).count<{ c: number }[]>({ c: '*' });
    const said = `${a.step} ${a.key} answered ${a.status}, then status=${status ?? 'none'} charges=${charges}`;
    if (charges > 1) violations.push(`${said}: charged twice`);
    if (a.step === 'hold' && a.status === 201 && !status) violations.push(said);
    if (a.step === 'hold' && a.status === 503 && Number(active) > 0 && !answers.some((b) => b.key === a.key && b.step === 'hold' && b.status === 201)) violations.push(said);
    if (a.step === 'confirm' && a.status === 200 && (status !== 'confirmed' || charges !== 1)) violations.push(said);
    if (a.step === 'confirm' && a.status === 503 && (status === 'confirmed' || charges !== 0)) violations.push(said);
    if (a.step === 'cancel' && a.status === 200 && status !== 'cancelled') violations.push(said);
    if (a.step === 'cancel' && a.status === 503 && status === 'cancelled') violations.push(said);
    if (a.status >= 500 && a.status !== 503) violations.push(said);
  }
  return violations;
}

/** "hold 201×40, hold 503×3, confirm 200×25, ...": what the run answered, for the test's log. */
export function summarize(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(`${a.step} ${a.status}`, (counts.get(`${a.step} ${a.status}`) ?? 0) + 1);
  return [...counts].sort().map(([k, n]) => `${k}×${n}`).join(', ');
}
