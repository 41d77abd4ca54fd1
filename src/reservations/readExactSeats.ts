import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Seat } from '../db/models';
import { conflict, notFound, unprocessable, type ApiError } from '../http/errors';
import type { ExactSeatsHold } from './holdRequest';
import type { HoldShowtime } from './holdShowtime';
import { purchaseLimitBreach, type LimitSubject } from './purchaseLimits';

/** A requested seat as the hold path reads it (plain knex rows: no model instances on the hold path). */
export type ExactSeatRow = Pick<Seat, 'id' | 'auditorium_id' | 'row' | 'number' | 'is_active' | 'is_deleted' | 'price_modifier'>;

export interface ExactSeatsRead {
  seats: ExactSeatRow[];
  taken: number[];
  breach: ApiError | null;
}

/** Everything the exact-seat form checks before its transaction, read in parallel with the showtime. */
export async function readExactSeats(knex: Knex, limits: Config['purchaseLimits'], req: ExactSeatsHold, subject: LimitSubject): Promise<ExactSeatsRead> {
  const [seats, taken, breach] = await Promise.all([
    knex('seats').whereIn('id', req.seat_ids).select<ExactSeatRow[]>('id', 'auditorium_id', 'row', 'number', 'is_active', 'is_deleted', 'price_modifier'),
    // Committed holds and bookings answer at once, without waiting on anybody's transaction.
    knex('reservation_seats')
      .where({ showtime_id: req.showtime_id, is_active: true })
      .whereIn('seat_id', req.seat_ids)
      .pluck('seat_id') as Promise<number[]>,
    purchaseLimitBreach(knex, limits, subject),
  ]);
  return { seats, taken, breach };
}

/** The requested seats in request order, or the first reason to refuse them. */
export function checkExactSeats(showtime: HoldShowtime, read: ExactSeatsRead, req: ExactSeatsHold): ExactSeatRow[] {
  const byId = new Map(read.seats.filter((s) => !s.is_deleted).map((s) => [s.id, s]));
  const missing = req.seat_ids.filter((sid) => !byId.has(sid));
  if (missing.length) throw notFound('SEAT_NOT_FOUND', `No such seat: ${missing.join(', ')}`, { seat_ids: missing });
  const foreign = req.seat_ids.filter((sid) => byId.get(sid)?.auditorium_id !== showtime.auditorium_id);
  if (foreign.length) {
    throw unprocessable('SEAT_NOT_IN_AUDITORIUM', `Seats ${foreign.join(', ')} are not in this showtime's auditorium`, { seat_ids: foreign });
  }
  const inactive = req.seat_ids.filter((sid) => !byId.get(sid)?.is_active);
  if (inactive.length) throw unprocessable('SEAT_INACTIVE', `Seats ${inactive.join(', ')} are out of service`, { seat_ids: inactive });
  if (showtime.starts_at.getTime() <= Date.now()) throw unprocessable('SHOWTIME_STARTED', 'This showtime has already started');
  if (read.taken.length) throw conflict('SEAT_UNAVAILABLE', 'Some of the seats are no longer available', { seat_ids: [...read.taken].sort((a, b) => a - b) });
  if (read.breach) throw read.breach;
  return req.seat_ids.map((sid) => byId.get(sid) as ExactSeatRow);
}
