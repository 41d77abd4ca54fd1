import type { Knex } from 'knex';
import { createShowtime, createUser } from './factories';
import type { ApiClient, ApiResponse } from './http';
import type { TestStack } from './stack';

/** The API's answer to a hold (API.md, "Reservations"). */
export interface HeldReservation {
  id: string;
  user_id: number;
  showtime_id: number;
  status: string;
  expires_at: string;
  total_price: string;
  workflow_id: string;
  seats: { seat_id: number; label: string; price: string }[];
}

/** POST /reservations as `token`, which must answer 201: the hold every reservation test starts from. */
export async function holdSeats(api: ApiClient, token: string, showtimeId: number, seatIds: number[]): Promise<HeldReservation> {
  const res = await api.post<HeldReservation>('/reservations', { showtime_id: showtimeId, seat_ids: seatIds }, { token });
  expect(res.status).toBe(201);
  return res.body;
}

type ShowtimeOptions = NonNullable<Parameters<typeof createShowtime>[1]>;
type Showtime = Awaited<ReturnType<typeof createShowtime>>;

/** A new user's hold on a new showtime (by default on its first seat). */
export async function holdOnNewShowtime(
  stack: Pick<TestStack, 'knex' | 'config'>,
  api: ApiClient,
  opts: { showtime?: ShowtimeOptions; seats?: (show: Showtime) => number[] } = {},
) {
  const user = await createUser(stack.knex, stack.config.jwtSecret);
  const show = await createShowtime(stack.knex, opts.showtime);
  const seatIds = opts.seats ? opts.seats(show) : [show.seats[0].id];
  const reservation = await holdSeats(api, user.token, show.id, seatIds);
  return { user, show, seatIds, reservation };
}

/** Polls until `check` returns a truthy value (for asynchronous workflow effects), bounded in time. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function waitForStatus(api: ApiClient, token: string, id: string, status: string, timeoutMs = 15_000) {
  return eventually(async () => {
    const res = await api.get(`/reservations/${id}`, { token });
    return res.body?.status === status ? res.body : undefined;
  }, timeoutMs);
}

/** Seats of a showtime held or booked more than once: must always be empty. */
export async function doubleBookedSeats(knex: Knex, showtimeId: number): Promise<number[]> {
  return knex('reservation_seats')
    .where({ showtime_id: showtimeId, is_active: true })
    .groupBy('seat_id')
    .havingRaw('count(*) > 1')
    .pluck('seat_id');
}

export async function activeSeatIds(knex: Knex, showtimeId: number): Promise<number[]> {
  return knex('reservation_seats').where({ showtime_id: showtimeId, is_active: true }).orderBy('seat_id').pluck('seat_id');
}

export async function chargeCount(knex: Knex, reservationId: string, status?: string): Promise<number> {
  const q = knex('fake_provider_charges').whereRaw(`metadata->>'reservation_id' = ?`, [reservationId]);
  if (status) q.where({ status });
  const [{ count }] = await q.count<{ count: number }[]>({ count: '*' });
  return Number(count);
}

export async function refundTotal(knex: Knex, reservationId: string): Promise<{ count: number; cents: number }> {
  const rows: { amount: string }[] = await knex('fake_provider_refunds as r')
    .join('fake_provider_charges as c', 'c.id', 'r.charge_id')
    .whereRaw(`c.metadata->>'reservation_id' = ?`, [reservationId])
    .select('r.amount');
  return { count: rows.length, cents: rows.reduce((s, r) => s + Math.round(Number(r.amount) * 100), 0) };
}

/**
 * Holds reservation `id`'s row (not its key, so the payment row can still reference it) and sends
 * the confirm, returning once the confirm's step after the charge waits on that row inside the
 * worker running it. `release` lets the step go on; `answer` is the confirm's answer.
 */
export async function confirmStalledOnRow(
  knex: Knex,
  id: string,
  sendConfirm: () => Promise<ApiResponse>,
  timeoutMs: number,
): Promise<{ answer: Promise<ApiResponse>; release: () => Promise<void> }> {
  let unblock: () => void = () => undefined;
  const unblocked = new Promise<void>((resolve) => (unblock = resolve));
  const locking = knex.transaction(async (trx: Knex.Transaction) => {
    await trx.raw('SELECT 1 FROM reservations WHERE id = ? FOR NO KEY UPDATE', [id]);
    await unblocked;
  });
  const answer = sendConfirm();
  await eventually(async () => {
    const { rows } = await knex.raw<{ rows: unknown[] }>(
      `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'update "reservations"%' AND query ILIKE '%confirmed%'`,
    );
    return rows.length > 0;
  }, timeoutMs);
  return {
    answer,
    release: async () => {
      unblock();
      await locking;
    },
  };
}
