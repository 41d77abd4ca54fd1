import type { Knex } from 'knex';
import { Showtime, type SeatType } from '../../db/models';
import { fromCents, toCents } from '../../money';
import { sqlList } from '../../db/sqlList';
import { SOLD_STATUSES } from '../../../workflows/statuses';

export type SeatStatus = 'available' | 'held' | 'booked';

/** A showtime's seats with their status and price (GET /showtimes/:id/seats). */
export interface SeatMap {
  showtime_id: number;
  seats: { seat_id: number; label: string; row: string; number: number; seat_type: SeatType; price: string; status: SeatStatus }[];
  counts: Record<SeatStatus, number>;
}

interface SeatMapRow {
  seat_id: number;
  row: string;
  number: number;
  seat_type: SeatType;
  price_modifier: string;
  base_price: string;
  status: SeatStatus;
}

/**
 * Every seat of the showtime's auditorium with its status, in one statement. A seat is taken
 * while an active reservation_seats row holds it (the same rows the hold path's partial unique
 * index guards), booked once that reservation is confirmed or completed, held otherwise.
 *
 * Seats out of service (is_active false) cannot be booked, so they are left out, unless an
 * active reservation still owns one (it was deactivated after being sold): then it keeps showing
 * as held or booked, so counts.booked still matches what was sold.
 */
export const SEAT_MAP_SQL = `
SELECT s.id AS seat_id, s."row", s."number", s.seat_type, s.price_modifier, st.base_price,
       CASE WHEN r.status IN (${sqlList(SOLD_STATUSES)}) THEN 'booked'
            WHEN rs.id IS NOT NULL THEN 'held'
            ELSE 'available' END AS status
  FROM showtimes st
  JOIN seats s ON s.auditorium_id = st.auditorium_id AND NOT s.is_deleted
  LEFT JOIN reservation_seats rs ON rs.showtime_id = st.id AND rs.seat_id = s.id AND rs.is_active
  LEFT JOIN reservations r ON r.id = rs.reservation_id AND r.showtime_id = st.id
 WHERE st.id = ? AND NOT st.is_deleted
   AND (s.is_active OR rs.id IS NOT NULL)
 ORDER BY length(s."row"), s."row", s."number"`;

/** The seat map, or null when the showtime does not exist (or was deleted). */
// The one-query seat map stays SQL: it is the hot read of an on-sale rush, planned as one statement.
export async function loadSeatMap(knex: Knex, showtimeId: number): Promise<SeatMap | null> {
  const { rows } = (await knex.raw(SEAT_MAP_SQL, [showtimeId])) as { rows: SeatMapRow[] };
  if (rows.length === 0) {
    // No rows is also what an auditorium with every seat out of service gives.
    const exists = await Showtime.query(knex).modify('live').findById(showtimeId).select('id');
    if (!exists) return null;
  }
  const counts = { available: 0, held: 0, booked: 0 };
  const seats = rows.map((r) => {
    counts[r.status] += 1;
    return {
      seat_id: r.seat_id,
      label: `${r.row}${r.number}`,
      row: r.row,
      number: r.number,
      seat_type: r.seat_type,
      // The same rule as the hold path: a discount never makes a seat cost less than nothing.
      price: fromCents(Math.max(0, toCents(r.base_price) + toCents(r.price_modifier))),
      status: r.status,
    };
  });
  return { showtime_id: showtimeId, seats, counts };
}
