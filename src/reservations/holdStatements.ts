import type { Knex } from 'knex';
import { usageColumns, type LimitSubject, type Usage } from './purchaseLimits';
import { RESERVATION_COLUMNS, type ReservationRow } from '../db/models';

/**
 * The hold's transaction in as few round trips as its guarantees allow: every statement costs
 * the API and Postgres a protocol exchange, a parse and a plan, and in an on-sale rush the hold
 * is the request that matters. Two statements stand between BEGIN and the workflow start:
 *
 * 1. `lockHold`: the locks, each waited for in a statement of its own making, so the next
 *    statement's snapshot is taken after them. The reservation's advisory lock (the workflow
 *    takes it too, so it waits for this commit or rollback), the user's purchase-limit lock, the
 *    per-seat try-locks (a seat another hold is inserting right now is unavailable: answered at
 *    once rather than waited for), and FOR SHARE on the showtime and the seats: a catalog edit
 *    (DELETE /showtimes takes FOR UPDATE, a seat taken out of service is an UPDATE) then either
 *    finished before, and a row lock reads the row as it left it, or waits for this commit.
 * 2. `insertHoldRows`: the reservation and its seats, and what the user already had for the
 *    showtime (the purchase limits), read by this statement's snapshot, taken after the lock.
 *
 * Raw SQL: advisory and row locks and a two-insert statement, which no model expresses.
 */

export interface HoldLocks {
  /** The showtime exists and is not deleted, as of the lock. */
  showtimeOk: boolean;
  /** How many of the seats asked for are in service, as of their row locks. */
  activeSeats: number;
  /** Seats another hold's transaction has locked right now. */
  contended: number[];
}

export interface LockHoldInput {
  reservationId: string;
  /** The user's purchase-limit lock key, when a per-showtime limit needs what they hold serialized. */
  limitKey: string | null;
  showtimeId: number;
  /** Seats to try-lock and lock FOR SHARE (the exact-seat form's; none for best available, which locks its choice later). */
  seatIds: number[];
}

export async function lockHold(trx: Knex.Transaction, input: LockHoldInput): Promise<HoldLocks> {
  const { rows } = await trx.raw<{ rows: { showtime_ok: boolean | null; active_seats: string | number; contended: number[] }[] }>(
    `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))${input.limitKey ? ', pg_advisory_xact_lock(hashtextextended(?, 0))' : ''},
            (SELECT NOT is_deleted FROM showtimes WHERE id = ? FOR SHARE) AS showtime_ok,
            ${seatLockColumns}`,
    [input.reservationId, ...(input.limitKey ? [input.limitKey] : []), input.showtimeId, ...seatLockBindings(input.showtimeId, input.seatIds)],
  );
  return { showtimeOk: rows[0].showtime_ok === true, activeSeats: Number(rows[0].active_seats), contended: rows[0].contended.map(Number) };
}

/** The per-seat try-locks and the seats' row locks, as select-list columns. */
const seatLockColumns = `(SELECT count(*) FROM (SELECT 1 FROM seats WHERE id = ANY(?::int[]) AND is_active AND NOT is_deleted FOR SHARE) s) AS active_seats,
            ARRAY(SELECT seat_id FROM unnest(?::int[]) AS seat_id WHERE NOT pg_try_advisory_xact_lock(?, seat_id) ORDER BY seat_id) AS contended`;
const seatLockBindings = (showtimeId: number, seatIds: number[]) => [seatIds, seatIds, showtimeId];

/**
 * Best available's chosen seats: their try-locks, their row locks, and which of them a hold has
 * committed meanwhile (the choice was made from an earlier look), in one round trip. A hold that
 * commits one of them between this statement's snapshot and its locks makes the insert come up
 * short instead.
 */
export async function lockSeats(trx: Knex.Transaction, showtimeId: number, seatIds: number[]): Promise<Omit<HoldLocks, 'showtimeOk'> & { committed: number[] }> {
  const { rows } = await trx.raw<{ rows: { active_seats: string | number; contended: number[]; committed: number[] }[] }>(
    `SELECT ${seatLockColumns},
            ARRAY(SELECT seat_id FROM reservation_seats WHERE showtime_id = ? AND is_active AND seat_id = ANY(?::int[])) AS committed`,
    [...seatLockBindings(showtimeId, seatIds), showtimeId, seatIds],
  );
  return { activeSeats: Number(rows[0].active_seats), contended: rows[0].contended.map(Number), committed: rows[0].committed.map(Number) };
}

export interface HoldRows {
  id: string;
  userId: number;
  showtimeId: number;
  totalPrice: string;
  holdExpiresAt: Date;
  idempotencyKey: string | null;
  workflowId: string;
  seats: { seatId: number; price: string }[];
  /** Whose usage to read for the per-showtime purchase limits; null when no such limit is set. */
  usageOf: LimitSubject | null;
}

export interface InsertedHold {
  /** Null when a reservation with this id exists already (a twin request with the same Idempotency-Key). */
  reservation: ReservationRow | null;
  held: number[];
  usage: Usage | null;
}

export async function insertHoldRows(trx: Knex.Transaction, h: HoldRows): Promise<InsertedHold> {
  const usage = h.usageOf ? usageColumns(h.usageOf) : null;
  // No row back when the reservation exists already: its seats are then not inserted either.
  const { rows } = await trx.raw<{ rows: (ReservationRow & { held_seat_ids: number[] } & Partial<Usage>)[] }>(
    `WITH r AS (
       INSERT INTO reservations (id, user_id, showtime_id, status, total_price, hold_expires_at, idempotency_key, workflow_id)
       VALUES (?, ?, ?, 'held', ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING
       RETURNING *
     ), s AS (
       INSERT INTO reservation_seats (reservation_id, showtime_id, seat_id, price_at_booking)
       SELECT r.id, r.showtime_id, seat.id, seat.price
         FROM r, unnest(?::int[], ?::numeric[]) WITH ORDINALITY AS seat (id, price, n)
        ORDER BY seat.n
       ON CONFLICT DO NOTHING
       RETURNING seat_id
     )
     SELECT ${RESERVATION_COLUMNS.map((c) => `r.${c}`).join(', ')}, ARRAY(SELECT seat_id FROM s) AS held_seat_ids${usage ? `, ${usage.sql}` : ''} FROM r`,
    [
      h.id,
      h.userId,
      h.showtimeId,
      h.totalPrice,
      h.holdExpiresAt,
      h.idempotencyKey,
      h.workflowId,
      h.seats.map((s) => s.seatId),
      h.seats.map((s) => s.price),
      ...(usage?.bindings ?? []),
    ],
  );
  if (rows.length === 0) return { reservation: null, held: [], usage: null };
  const { held_seat_ids: held, open_holds: openHolds, seats, ...reservation } = rows[0];
  return {
    reservation: reservation as ReservationRow,
    held: held.map(Number),
    usage: usage ? { open_holds: openHolds ?? 0, seats: seats ?? 0 } : null,
  };
}
