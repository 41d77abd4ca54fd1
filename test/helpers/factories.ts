import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { signAccessToken } from '../../src/accounts/accessTokens';
import type { UserRole } from '../../src/db/models';

/** Test data with unique values, written straight to Postgres so tests never depend on each other. */
export async function createUser(knex: Knex, secret: string, role: UserRole = 'user', overrides: Record<string, unknown> = {}) {
  const email = `user-${randomUUID()}@example.test`;
  const [user] = await knex('users')
    .insert({ name: 'Test User', email, password_hash: 'x', role, ...overrides })
    .returning(['id', 'email', 'role', 'name']);
  return { ...user, token: signAccessToken({ id: user.id, role: user.role }, secret) } as {
    id: number;
    email: string;
    role: UserRole;
    name: string;
    token: string;
  };
}

export interface SeatLayoutRow {
  row: string;
  seats: number;
  seat_type?: 'regular' | 'premium' | 'wheelchair';
  price_modifier?: string;
}

export async function createAuditorium(knex: Knex, rows: SeatLayoutRow[] = [{ row: 'A', seats: 10 }, { row: 'B', seats: 10 }]) {
  const [aud] = await knex('auditoriums').insert({ name: `Hall ${randomUUID()}` }).returning(['id', 'name']);
  const seatRows = rows.flatMap((r) =>
    Array.from({ length: r.seats }, (_, i) => ({
      auditorium_id: aud.id,
      row: r.row,
      number: i + 1,
      seat_type: r.seat_type ?? 'regular',
      price_modifier: r.price_modifier ?? '0.00',
    })),
  );
  const seats: { id: number; row: string; number: number }[] = [];
  for (let i = 0; i < seatRows.length; i += 1000) {
    seats.push(...(await knex('seats').insert(seatRows.slice(i, i + 1000)).returning(['id', 'row', 'number'])));
  }
  return { id: aud.id as number, seats };
}

export async function createShowtime(
  knex: Knex,
  opts: { startsInMinutes?: number; basePrice?: string; rows?: SeatLayoutRow[]; durationMinutes?: number; endsInMinutes?: number } = {},
) {
  const auditorium = await createAuditorium(knex, opts.rows);
  const duration = opts.durationMinutes ?? 120;
  const [movie] = await knex('movies').insert({ title: `Movie ${randomUUID()}`, duration_minutes: duration }).returning(['id', 'title']);
  const startsAt = new Date(Date.now() + (opts.startsInMinutes ?? 24 * 60) * 60_000);
  // endsInMinutes: a show that ends soon, for bookings that complete within a test.
  const endsAt = opts.endsInMinutes === undefined ? new Date(startsAt.getTime() + (duration + 15) * 60_000) : new Date(Date.now() + opts.endsInMinutes * 60_000);
  const [showtime] = await knex('showtimes')
    .insert({ movie_id: movie.id, auditorium_id: auditorium.id, starts_at: startsAt, ends_at: endsAt, base_price: opts.basePrice ?? '10.00' })
    .returning(['id']);
  return { id: showtime.id as number, movie, auditorium, seats: auditorium.seats, startsAt, endsAt };
}

/**
 * A reservation and its seats written straight to Postgres in one transaction, as any writer
 * (the worker, an operator) commits a seat change: for statuses and volumes the API takes long to
 * reach. No workflow owns it.
 */
export async function insertReservation(
  knex: Knex,
  r: { showtimeId: number; userId: number; seatIds: number[]; status?: string; seatsActive?: boolean },
): Promise<string> {
  const id = randomUUID();
  await knex.transaction(async (trx) => {
    await trx('reservations').insert({
      id,
      user_id: r.userId,
      showtime_id: r.showtimeId,
      status: r.status ?? 'held',
      total_price: '0.00',
      hold_expires_at: new Date(Date.now() + 600_000),
      workflow_id: `reservation-${id}`,
    });
    await trx('reservation_seats').insert(
      r.seatIds.map((seatId) => ({ reservation_id: id, showtime_id: r.showtimeId, seat_id: seatId, price_at_booking: '0.00', is_active: r.seatsActive ?? true })),
    );
  });
  return id;
}
