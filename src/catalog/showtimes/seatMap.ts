import type { Knex } from 'knex';
import { Showtime, type SeatType } from '../../db/models';
import { fromCents, toCents } from '../../money';

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
  version: string;
}

/** A seat map and the seat version it shows (the ETag, and the stream's event id). */
export interface VersionedSeatMap {
  map: SeatMap;
  version: number;
}

/**
 * Every seat of the showtime's auditorium with its status, in one statement. A seat is taken
 * while an active reservation_seats row holds it (the same rows the hold path's partial unique
 * index guards); the row's own `state` says held or booked, kept by triggers, so no join with
 * reservations is needed and the plan does not hang on fresh statistics of a filling showtime.
 *
 * Seats out of service (is_active false) cannot be booked, so they are left out, unless an
 * active reservation still owns one (it was deactivated after being sold): then it keeps showing
 * as held or booked, so counts.booked still matches what was sold.
 */
export const SEAT_MAP_SQL = `
SELECT s.id AS seat_id, s."row", s."number", s.seat_type, s.price_modifier, st.base_price,
       coalesce(rs.state, 'available') AS status, coalesce(sv.version, 0) AS version
  FROM showtimes st
  LEFT JOIN seat_versions sv ON sv.showtime_id = st.id
  JOIN seats s ON s.auditorium_id = st.auditorium_id AND NOT s.is_deleted
  LEFT JOIN reservation_seats rs ON rs.showtime_id = st.id AND rs.seat_id = s.id AND rs.is_active
 WHERE st.id = ? AND NOT st.is_deleted
   AND (s.is_active OR rs.id IS NOT NULL)
 ORDER BY length(s."row"), s."row", s."number"`;

/** The showtime's seat version (0 before any seat changed), or null when there is no such showtime. */
export async function loadSeatVersion(knex: Knex, showtimeId: number): Promise<number | null> {
  const row = await Showtime.query(knex)
    .alias('st')
    .leftJoinRelated('seatVersion as sv')
    .findById(showtimeId)
    .where('st.is_deleted', false)
    .select(knex.raw('coalesce(sv.version, 0) AS version'))
    .castTo<{ version: string } | undefined>();
  return row ? Number(row.version) : null;
}

/** The seat map, or null when the showtime does not exist (or was deleted). */
export async function loadSeatMap(knex: Knex, showtimeId: number): Promise<SeatMap | null> {
  return (await loadVersionedSeatMap(knex, showtimeId))?.map ?? null;
}

/** The seat map with its version, read in one snapshot; null when the showtime does not exist. */
// The one-query seat map stays SQL: it is the hot read of an on-sale rush, planned as one statement.
export async function loadVersionedSeatMap(knex: Knex, showtimeId: number): Promise<VersionedSeatMap | null> {
  const { rows } = (await knex.raw(SEAT_MAP_SQL, [showtimeId])) as { rows: SeatMapRow[] };
  let version = rows.length > 0 ? Number(rows[0].version) : 0;
  if (rows.length === 0) {
    // No rows is also what an auditorium with every seat out of service gives.
    const current = await loadSeatVersion(knex, showtimeId);
    if (current === null) return null;
    version = current;
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
  return { map: { showtime_id: showtimeId, seats, counts }, version };
}
