import type { Knex } from 'knex';
import type { Config } from '../config';
import { conflict, notFound, unprocessable, type ApiError } from '../http/errors';
import type { ExactSeatsHold } from './holdRequest';
import type { HoldShowtime } from './holdShowtime';
import { purchaseLimitBreach, type LimitSubject } from './purchaseLimits';

export interface ExactSeatRow {
  id: number;
  auditorium_id: number;
  row: string;
  number: number;
  is_active: boolean;
  is_deleted: boolean;
  price_modifier: string;
}

export interface ExactSeatsRead {
  seats: ExactSeatRow[];
  taken: number[];
  breach: ApiError | null;
}

/**
 * Seats held or booked (committed), and, when `inFlight`, seats another hold's transaction has
 * locked right now (its per-seat advisory lock, pg_try_advisory_xact_lock(showtime, seat), shows in
 * pg_locks as classid/objid with objsubid 2). Raw SQL: pg_locks has no model.
 */
async function unavailableSeats(knex: Knex, showtimeId: number, seatIds: number[], inFlight: boolean): Promise<number[]> {
  const committed = 'SELECT seat_id FROM reservation_seats WHERE showtime_id = ? AND is_active AND seat_id = ANY(?::int[])';
  const locked = `SELECT objid::int8 FROM pg_locks
      WHERE locktype = 'advisory' AND objsubid = 2 AND classid = ?::int8::oid AND objid::int8 = ANY(?::int8[])
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  const { rows } = await knex.raw<{ rows: { seat_id: string | number }[] }>(
    inFlight ? `${committed} UNION ${locked}` : committed,
    inFlight ? [showtimeId, seatIds, showtimeId, seatIds] : [showtimeId, seatIds],
  );
  return rows.map((r) => Number(r.seat_id));
}

/**
 * Everything the exact-seat form checks before its transaction, read in parallel with the showtime.
 * Seats locked by a hold in flight count as taken when `refuseInFlight`: in a stampede for the
 * same seats the losers are answered from this read, without a transaction (the one inside
 * would refuse them too, from the same lock). A request with an Idempotency-Key does not: it may
 * be the twin of the hold in flight, and waits for it inside the transaction to answer alike.
 */
export async function readExactSeats(
  knex: Knex,
  limits: Config['purchaseLimits'],
  req: ExactSeatsHold,
  subject: LimitSubject,
  refuseInFlight: boolean,
): Promise<ExactSeatsRead> {
  const [seats, taken, breach] = await Promise.all([
    knex('seats').whereIn('id', req.seat_ids).select<ExactSeatRow[]>('id', 'auditorium_id', 'row', 'number', 'is_active', 'is_deleted', 'price_modifier'),
    // Committed holds and bookings answer at once, without waiting on anybody's transaction.
    unavailableSeats(knex, req.showtime_id, req.seat_ids, refuseInFlight),
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
