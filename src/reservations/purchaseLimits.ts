import type { Knex } from 'knex';
import { HOLD_STATUSES } from '../../workflows/statuses';
import type { PurchaseLimits } from '../config';
import { conflict, type ApiError } from '../http/errors';

export interface LimitSubject {
  userId: number;
  showtimeId: number;
  /** Seats this request would add. */
  seats: number;
  /** This request's own reservation, never counted against itself (an idempotent retry). */
  reservationId: string;
}

interface Usage {
  open_holds: string;
  seats: string;
}

const refusal = (limit: string, max: number, current: number, detail: string): ApiError =>
  conflict('PURCHASE_LIMIT', detail, { limit, max, current });

/** What the user already has for this showtime, in one round trip. */
async function usageOf(db: Knex | Knex.Transaction, s: LimitSubject): Promise<{ openHolds: number; seats: number }> {
  const { rows } = await db.raw<{ rows: Usage[] }>(
    `SELECT (SELECT count(*) FROM reservations
              WHERE user_id = ? AND showtime_id = ? AND status = ANY(?::reservation_status[]) AND id <> ?) AS open_holds,
            (SELECT count(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
              WHERE r.user_id = ? AND rs.showtime_id = ? AND rs.is_active AND r.id <> ?) AS seats`,
    [s.userId, s.showtimeId, [...HOLD_STATUSES], s.reservationId, s.userId, s.showtimeId, s.reservationId],
  );
  return { openHolds: Number(rows[0].open_holds), seats: Number(rows[0].seats) };
}

/** The first limit this request would break, or null. `0` in a limit means no limit. */
export async function purchaseLimitBreach(db: Knex | Knex.Transaction, limits: PurchaseLimits, s: LimitSubject): Promise<ApiError | null> {
  if (limits.seatsPerReservation && s.seats > limits.seatsPerReservation) {
    return refusal('seats_per_reservation', limits.seatsPerReservation, s.seats, `At most ${limits.seatsPerReservation} seats per reservation`);
  }
  if (!limits.openHoldsPerShowtime && !limits.seatsPerShowtime) return null;
  const usage = await usageOf(db, s);
  if (limits.openHoldsPerShowtime && usage.openHolds >= limits.openHoldsPerShowtime) {
    return refusal(
      'open_holds_per_showtime',
      limits.openHoldsPerShowtime,
      usage.openHolds,
      `At most ${limits.openHoldsPerShowtime} open holds per showtime: confirm or cancel one first`,
    );
  }
  if (limits.seatsPerShowtime && usage.seats + s.seats > limits.seatsPerShowtime) {
    return refusal('seats_per_showtime', limits.seatsPerShowtime, usage.seats, `At most ${limits.seatsPerShowtime} seats per user per showtime`);
  }
  return null;
}

/**
 * Inside the hold's transaction: serializes this user's holds for this showtime until commit,
 * so two concurrent requests cannot both see room for themselves, then checks the limits.
 */
export async function enforcePurchaseLimits(trx: Knex.Transaction, limits: PurchaseLimits, s: LimitSubject): Promise<void> {
  if (!limits.openHoldsPerShowtime && !limits.seatsPerShowtime) {
    // Only a per-showtime limit counts what other requests hold: without one, nothing to serialize.
    const breach = await purchaseLimitBreach(trx, limits, s);
    if (breach) throw breach;
    return;
  }
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`purchase-limits:${s.userId}:${s.showtimeId}`]);
  const breach = await purchaseLimitBreach(trx, limits, s);
  if (breach) throw breach;
}
