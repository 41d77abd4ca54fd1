import type { Knex } from 'knex';
import type { ApiClient } from './http';

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
