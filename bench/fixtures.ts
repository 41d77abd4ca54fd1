import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { signAccessToken } from '../src/accounts/accessTokens';
import { createShowtime } from '../test/helpers/factories';

/**
 * Benchmark data, written straight to Postgres (as the tests' factories do), so the benchmark
 * depends on no auth or catalog route. Tokens are real JWTs signed with the API's secret.
 */
export interface BenchUser {
  id: number;
  token: string;
}

export async function createUsers(knex: Knex, jwtSecret: string, count: number): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, () => ({
      name: 'Bench User',
      email: `bench-${randomUUID()}@example.test`,
      password_hash: 'x',
      role: 'user',
    }));
    const inserted: { id: number }[] = await knex('users').insert(rows).returning(['id']);
    users.push(...inserted.map((u) => ({ id: u.id, token: signAccessToken({ id: u.id, role: 'user' }, jwtSecret) })));
  }
  return users;
}

/** Fresh tokens for users (access tokens live 15 minutes). */
export const refreshTokens = (users: BenchUser[], jwtSecret: string): BenchUser[] =>
  users.map((u) => ({ id: u.id, token: signAccessToken({ id: u.id, role: 'user' }, jwtSecret) }));

/** Row labels A..Z, AA..AZ, BA.. */
export function rowLabel(i: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return i < 26 ? letters[i] : letters[Math.floor(i / 26) - 1] + letters[i % 26];
}

export interface BenchShowtime {
  id: number;
  seatIds: number[];
}

/** A showtime tomorrow in its own auditorium of `seats` seats, in rows of at most 50. */
export async function createBenchShowtime(knex: Knex, seats: number): Promise<BenchShowtime> {
  const perRow = seats <= 100 ? 10 : seats <= 600 ? 30 : 50;
  const rows = [];
  for (let left = seats, r = 0; left > 0; r++, left -= perRow) rows.push({ row: rowLabel(r), seats: Math.min(perRow, left) });
  const st = await createShowtime(knex, { rows, startsInMinutes: 24 * 60 });
  return { id: st.id, seatIds: st.seats.map((s) => s.id).sort((a, b) => a - b) };
}

/**
 * Marks seats sold: confirmed reservations of up to 10 seats each, inserted directly (no
 * workflow; only their rows matter to the readers being measured).
 */
export async function sellSeats(knex: Knex, showtimeId: number, seatIds: number[], userId: number): Promise<void> {
  const reservations = [];
  const seatRows = [];
  for (let i = 0; i < seatIds.length; i += 10) {
    const id = randomUUID();
    const chunk = seatIds.slice(i, i + 10);
    reservations.push({
      id,
      user_id: userId,
      showtime_id: showtimeId,
      status: 'confirmed',
      total_price: (chunk.length * 10).toFixed(2),
      hold_expires_at: new Date(),
      confirmed_at: new Date(),
      workflow_id: `bench-sold-${id}`,
    });
    seatRows.push(...chunk.map((seat_id) => ({ reservation_id: id, showtime_id: showtimeId, seat_id, price_at_booking: '10.00' })));
  }
  for (let i = 0; i < reservations.length; i += 500) await knex('reservations').insert(reservations.slice(i, i + 500));
  for (let i = 0; i < seatRows.length; i += 1000) await knex('reservation_seats').insert(seatRows.slice(i, i + 1000));
}

/**
 * A booking history, as a database in service has: `showtimes` showtimes of `seats` seats each,
 * sold out in bookings of 10 by `users` in turn. Measured on empty tables, Postgres plans the
 * hold's reads for tables of no rows (a sequential scan), and keeps those plans while the
 * measured holds fill the tables, until autovacuum analyzes them again: each hold of the first
 * level then scanned every hold before it.
 */
export async function seedBookingHistory(knex: Knex, users: BenchUser[], showtimes: number, seats: number): Promise<number> {
  for (let i = 0; i < showtimes; i++) {
    const st = await createBenchShowtime(knex, seats);
    await sellSeats(knex, st.id, st.seatIds, users[i % users.length].id);
  }
  return showtimes * seats;
}

/** Hands out distinct seats for holds, showtime by showtime, so no two holds ever conflict. */
export class SeatPool {
  private showtime = 0;
  private offset = 0;

  constructor(private readonly showtimes: BenchShowtime[]) {}

  static async create(knex: Knex, seats: number, perShowtime = 2000): Promise<SeatPool> {
    const list: BenchShowtime[] = [];
    for (let left = seats; left > 0; left -= perShowtime) list.push(await createBenchShowtime(knex, Math.min(perShowtime, left)));
    return new SeatPool(list);
  }

  get capacity(): number {
    return this.showtimes.reduce((n, s) => n + s.seatIds.length, 0);
  }

  /** `count` free seats of one showtime, or undefined when the pool is used up. */
  take(count: number): { showtime_id: number; seat_ids: number[] } | undefined {
    while (this.showtime < this.showtimes.length) {
      const st = this.showtimes[this.showtime];
      if (this.offset + count <= st.seatIds.length) {
        const seat_ids = st.seatIds.slice(this.offset, this.offset + count);
        this.offset += count;
        return { showtime_id: st.id, seat_ids };
      }
      this.showtime += 1;
      this.offset = 0;
    }
    return undefined;
  }
}
