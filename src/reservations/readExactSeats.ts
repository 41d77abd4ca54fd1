import type { Knex } from 'knex';
import type { Config } from '../config';
import { poolSql } from '../db/rawSql';
import type { Seat } from '../db/models';
import { conflict, notFound, unprocessable, type ApiError } from '../http/errors';
import type { ExactSeatsHold } from './holdRequest';
import type { HoldShowtime } from './holdShowtime';
import { breachOf, limitsNeedUsage, purchaseLimitBreach, usageColumns, type LimitSubject, type Usage } from './purchaseLimits';

/** A requested seat as the hold path reads it (plain knex rows: no model instances on the hold path). */
export type ExactSeatRow = Pick<Seat, 'id' | 'auditorium_id' | 'row' | 'number' | 'is_active' | 'is_deleted' | 'price_modifier'>;

export interface ExactSeatsRead {
  seats: ExactSeatRow[];
  taken: number[];
  breach: ApiError | null;
}

/**
 * Everything the exact-seat form checks before its transaction, in one statement (in a stampede
 * for the same seats each round trip holds a pooled connection the winners' transactions also
 * need): the requested seats; those held or booked (committed); when `refuseInFlight`, those
 * another hold's transaction has locked right now (its per-seat advisory lock,
 * pg_try_advisory_xact_lock(showtime, seat), shows in pg_locks as classid/objid with objsubid 2);
 * and, when a limit needs it, what the user already has for the showtime. Seats locked by a hold
 * in flight count as taken so that the losers of a stampede are answered without a transaction
 * (the one inside would refuse them too, from the same lock). A request with an Idempotency-Key
 * does not refuse them: it may be the twin of the hold in flight, and waits for it inside the
 * transaction to answer alike. Raw SQL: pg_locks has no model, and one statement is the point.
 */
export async function readExactSeats(
  knex: Knex,
  limits: Config['purchaseLimits'],
  req: ExactSeatsHold,
  subject: LimitSubject,
  refuseInFlight: boolean,
): Promise<ExactSeatsRead> {
  const committed = 'SELECT seat_id FROM reservation_seats WHERE showtime_id = ? AND is_active AND seat_id = ANY(?::int[])';
  const locked = `SELECT objid::int8 FROM pg_locks
      WHERE locktype = 'advisory' AND objsubid = 2 AND classid = ?::int8::oid AND objid::int8 = ANY(?::int8[])
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  // Not `seats`: the usage columns have one of that name.
  const usage = limitsNeedUsage(limits) ? usageColumns(subject) : undefined;
  // pg_locks is read only when some seat asked for is not already taken for good: reading it takes
  // every lock-manager partition's lock, and most of a stampede's losers ask for a seat committed
  // by then (Postgres runs the CASE's other branch, an InitPlan, only when it is reached).
  const taken = refuseInFlight
    ? `CASE WHEN (SELECT count(*) FROM committed) >= ? THEN ARRAY(SELECT seat_id FROM committed)
            ELSE ARRAY(SELECT seat_id FROM committed UNION ${locked}) END`
    : 'ARRAY(SELECT seat_id FROM committed)';
  const { rows } = await poolSql(knex).query<{ seat_rows: ExactSeatRow[]; taken: (string | number)[] } & Usage>(
    `WITH committed AS MATERIALIZED (${committed})
     SELECT (SELECT coalesce(json_agg(json_build_object('id', id, 'auditorium_id', auditorium_id, 'row', "row", 'number', number,
                       'is_active', is_active, 'is_deleted', is_deleted, 'price_modifier', price_modifier::text)), '[]')
               FROM seats WHERE id = ANY(?::int[])) AS seat_rows,
            ${taken} AS taken${usage ? `, ${usage.sql}` : ''}`,
    [
      req.showtime_id,
      req.seat_ids,
      req.seat_ids,
      ...(refuseInFlight ? [new Set(req.seat_ids).size, req.showtime_id, req.seat_ids] : []),
      ...(usage?.bindings ?? []),
    ],
  );
  const [row] = rows;
  const breach = usage ? breachOf(limits, subject, row) : await purchaseLimitBreach(knex, limits, subject);
  return { seats: row.seat_rows, taken: row.taken.map(Number), breach };
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
