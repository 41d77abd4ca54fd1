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

export interface Usage {
  open_holds: string | number;
  seats: string | number;
}

const refusal = (limit: string, max: number, current: number, detail: string): ApiError =>
  conflict('PURCHASE_LIMIT', detail, { limit, max, current });

/**
 * The select-list columns `open_holds` and `seats` counting what the user already has for this
 * showtime, with their bindings: one round trip, or part of another statement's.
 */
export function usageColumns(s: LimitSubject): { sql: string; bindings: Knex.RawBinding[] } {
  return {
    sql: `(SELECT count(*) FROM reservations
            WHERE user_id = ? AND showtime_id = ? AND status = ANY(?::reservation_status[]) AND id <> ?) AS open_holds,
          (SELECT count(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
            WHERE r.user_id = ? AND rs.showtime_id = ? AND rs.is_active AND r.id <> ?) AS seats`,
    bindings: [s.userId, s.showtimeId, [...HOLD_STATUSES], s.reservationId, s.userId, s.showtimeId, s.reservationId],
  };
}

/** The advisory lock that serializes one user's holds for one showtime while their limits are checked. */
export const purchaseLimitKey = (s: Pick<LimitSubject, 'userId' | 'showtimeId'>): string => `purchase-limits:${s.userId}:${s.showtimeId}`;

/** Whether any limit needs to know what the user already has (the per-showtime ones). */
export const limitsNeedUsage = (limits: PurchaseLimits): boolean => Boolean(limits.openHoldsPerShowtime || limits.seatsPerShowtime);

/** What the user already has for this showtime, in one round trip. */
async function usageOf(db: Knex | Knex.Transaction, s: LimitSubject): Promise<Usage> {
  const usage = usageColumns(s);
  // Raw SQL: the same select-list the hold path's one-statement reads embed.
  const { rows } = await db.raw<{ rows: Usage[] }>(`SELECT ${usage.sql}`, usage.bindings);
  return rows[0];
}

/** The first limit this request would break, or null. `0` in a limit means no limit. */
export async function purchaseLimitBreach(db: Knex | Knex.Transaction, limits: PurchaseLimits, s: LimitSubject): Promise<ApiError | null> {
  if (limits.seatsPerReservation && s.seats > limits.seatsPerReservation) {
    return refusal('seats_per_reservation', limits.seatsPerReservation, s.seats, `At most ${limits.seatsPerReservation} seats per reservation`);
  }
  if (!limitsNeedUsage(limits)) return null;
  return breachOf(limits, s, await usageOf(db, s));
}

/** The first limit this request would break given what the user has (`usage`, read by usageColumns). */
export function breachOf(limits: PurchaseLimits, s: LimitSubject, raw: Usage): ApiError | null {
  if (limits.seatsPerReservation && s.seats > limits.seatsPerReservation) {
    return refusal('seats_per_reservation', limits.seatsPerReservation, s.seats, `At most ${limits.seatsPerReservation} seats per reservation`);
  }
  const usage = { openHolds: Number(raw.open_holds), seats: Number(raw.seats) };
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
