import type { Knex } from 'knex';
import { sqlList } from '../../db/sqlList';
import { RESERVATION_STATUSES, SOLD_STATUSES, type ReservationStatus } from '../../../workflows/statuses';

/** How one showtime sells (GET /showtimes/:id/report): seat counts, money and reservations by status. */
export interface ShowtimeReport {
  showtime_id: number;
  movie_title: string;
  starts_at: string;
  seats_total: number;
  seats_sold: number;
  seats_held: number;
  seats_free: number;
  /** Tickets admitted at the door, to set against seats_sold. */
  seats_checked_in: number;
  occupancy_percent: number;
  gross_revenue: string;
  refunds: string;
  reservations: Record<ReservationStatus, number>;
}

interface ReportTotals {
  showtime_id: number;
  movie_title: string;
  starts_at: Date;
  seats_total: number;
  seats_sold: number;
  seats_held: number;
  seats_checked_in: number;
  occupancy_percent: string;
  gross_revenue: string;
  refunds: string;
}

type ReportRow = ReportTotals & Record<ReservationStatus, number>;

const SOLD = sqlList(SOLD_STATUSES);
// One count per status, each in its own column named after it.
const COUNTS_BY_STATUS = RESERVATION_STATUSES.map((status) => `(count(*) FILTER (WHERE r.status = '${status}'))::int AS ${status},`).join('\n         ');
const STATUS_COLUMNS = RESERVATION_STATUSES.map((status) => `by_status.${status}`).join(', ');

/** The whole report in one statement; no row when the showtime does not exist (or was deleted). */
export const SHOWTIME_REPORT_SQL = `
WITH st AS (
  SELECT st.id, st.auditorium_id, st.starts_at, m.title
    FROM showtimes st
    JOIN movies m ON m.id = st.movie_id
   WHERE st.id = :id AND NOT st.is_deleted
), seat_map AS (
  SELECT CASE WHEN r.status IN (${SOLD}) THEN 'sold'
              WHEN rs.id IS NOT NULL THEN 'held'
              ELSE 'free' END AS state
    FROM st
    JOIN seats s ON s.auditorium_id = st.auditorium_id AND NOT s.is_deleted
    LEFT JOIN reservation_seats rs ON rs.showtime_id = st.id AND rs.seat_id = s.id AND rs.is_active
    LEFT JOIN reservations r ON r.id = rs.reservation_id
   WHERE s.is_active OR rs.id IS NOT NULL
), seats AS (
  SELECT count(*)::int AS total,
         (count(*) FILTER (WHERE state = 'sold'))::int AS sold,
         (count(*) FILTER (WHERE state = 'held'))::int AS held
    FROM seat_map
), by_status AS (
  SELECT ${COUNTS_BY_STATUS}
         coalesce(sum(r.refund_amount) FILTER (WHERE r.status = 'cancelled'), 0)::numeric(14, 2)::text AS refunds
    FROM reservations r
   WHERE r.showtime_id = :id
), admitted AS (
  SELECT count(*)::int AS checked_in
    FROM checkins c
    JOIN tickets t ON t.id = c.ticket_id
   WHERE t.showtime_id = :id
), revenue AS (
  SELECT coalesce(sum(rs.price_at_booking), 0)::numeric(14, 2)::text AS gross
    FROM reservation_seats rs
    JOIN reservations r ON r.id = rs.reservation_id
   WHERE r.showtime_id = :id AND r.status IN (${SOLD})
)
SELECT st.id AS showtime_id, st.title AS movie_title, st.starts_at,
       seats.total AS seats_total, seats.sold AS seats_sold, seats.held AS seats_held,
       admitted.checked_in AS seats_checked_in,
       CASE WHEN seats.total = 0 THEN 0 ELSE round(seats.sold * 100.0 / seats.total, 2) END::text AS occupancy_percent,
       revenue.gross AS gross_revenue, by_status.refunds,
       ${STATUS_COLUMNS}
  FROM st, seats, by_status, revenue, admitted`;

/** The report of one showtime, or null when there is no such showtime. */
export async function loadShowtimeReport(knex: Knex, showtimeId: number): Promise<ShowtimeReport | null> {
  const { rows } = (await knex.raw(SHOWTIME_REPORT_SQL, { id: showtimeId })) as { rows: ReportRow[] };
  const row = rows[0];
  if (!row) return null;
  return {
    showtime_id: row.showtime_id,
    movie_title: row.movie_title,
    starts_at: row.starts_at.toISOString(),
    seats_total: row.seats_total,
    seats_sold: row.seats_sold,
    seats_held: row.seats_held,
    seats_free: row.seats_total - row.seats_sold - row.seats_held,
    seats_checked_in: row.seats_checked_in,
    occupancy_percent: Number(row.occupancy_percent),
    gross_revenue: row.gross_revenue,
    refunds: row.refunds,
    reservations: Object.fromEntries(RESERVATION_STATUSES.map((status) => [status, row[status]])) as Record<ReservationStatus, number>,
  };
}
