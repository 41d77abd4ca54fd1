import type { Knex } from 'knex';
import { listPage } from '../db/listPage';
import { poolSql } from '../db/rawSql';
import { Reservation, RESERVATION_COLUMNS, type ReservationRow } from '../db/models';
import type { ReservationStatus, RowSeen } from '../../workflows/shared';
import { serializeReservation, type ReservationBody, type ReservationSeatView } from './serialize';

/**
 * The seats of the reservation whose id is `reservationIdSql`, as the API shows them (label, price
 * as written), ordered by row and number: one JSON array, the one definition of a seat view, for
 * the reads of one reservation and of many alike.
 */
const seatViewsOf = (reservationIdSql: string) =>
  `coalesce((SELECT json_agg(json_build_object('seat_id', rs.seat_id, 'label', s."row" || s.number, 'price', rs.price_at_booking::text)
                             ORDER BY s."row", s.number)
                FROM reservation_seats rs JOIN seats s ON s.id = rs.seat_id
               WHERE rs.reservation_id = ${reservationIdSql}), '[]')`;

/** Seats of several reservations in one statement, keyed by reservation id. */
export async function seatsByReservation(knex: Knex, ids: string[]): Promise<Map<string, ReservationSeatView[]>> {
  const map = new Map<string, ReservationSeatView[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return map;
  const { rows } = await poolSql(knex).query<{ id: string; seat_views: ReservationSeatView[] }>(
    `SELECT r.id, ${seatViewsOf('r.id')} AS seat_views FROM unnest(?::uuid[]) AS r (id)`,
    [ids],
  );
  for (const row of rows) map.set(row.id, row.seat_views);
  return map;
}

/**
 * One reservation row with its seats and, when `withShow`, its showtime's start and end: one
 * statement, since a confirm, cancel or extend reads it before its Update and again after, and
 * each round trip is a protocol exchange for the API and Postgres.
 * Raw SQL: a join, a correlated aggregate and a choice of columns no model query would save.
 */
async function readReservation(knex: Knex, id: string, withShow: boolean) {
  const { rows } = await poolSql(knex).query<ReservationRow & { seat_views: ReservationSeatView[]; show_starts_at?: Date; show_ends_at?: Date }>(
    `SELECT ${RESERVATION_COLUMNS.map((c) => `r.${c}`).join(', ')}, ${seatViewsOf('r.id')} AS seat_views
            ${withShow ? ', st.starts_at AS show_starts_at, st.ends_at AS show_ends_at' : ''}
       FROM reservations r ${withShow ? 'JOIN showtimes st ON st.id = r.showtime_id' : ''}
      WHERE r.id = ?`,
    [id],
  );
  return rows[0];
}

/** One reservation with its seats, as the API shows it; null when there is none. */
export async function loadReservationBody(knex: Knex, id: string): Promise<ReservationBody | null> {
  const row = await readReservation(knex, id, false);
  if (!row) return null;
  const { seat_views: seats, ...reservation } = row;
  return serializeReservation(reservation, seats);
}

/**
 * One reservation as the API shows it, and what the same read says for its workflow (RowSeen):
 * the row's status and its showtime's start and end, joined in the one query, not in the body.
 * Read before a confirm, cancel or extend, which carry it so the workflow need not ask whether the
 * hold committed. Null when there is none.
 */
export async function loadReservationSeen(knex: Knex, id: string): Promise<{ body: ReservationBody; rowSeen: RowSeen } | null> {
  const row = await readReservation(knex, id, true);
  if (!row) return null;
  const { seat_views: seats, show_starts_at: starts, show_ends_at: ends, ...reservation } = row;
  return {
    body: serializeReservation(reservation, seats),
    rowSeen: { status: row.status, show_starts_at: new Date(starts as Date).toISOString(), show_ends_at: new Date(ends as Date).toISOString() },
  };
}

export interface ReservationFilter {
  user_id?: number;
  status?: ReservationStatus;
  showtime_id?: number;
  limit: number;
  offset: number;
}

/** Reservations newest first, with their seats and the total count. */
export async function listReservations(knex: Knex, f: ReservationFilter): Promise<{ reservations: ReservationBody[]; total: number }> {
  const query = Reservation.query(knex).where((b) => {
    if (f.user_id) b.where('user_id', f.user_id);
    if (f.status) b.where('status', f.status);
    if (f.showtime_id) b.where('showtime_id', f.showtime_id);
  });
  const { rows, total } = await listPage(query, f, (q) => q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }]).select(RESERVATION_COLUMNS));
  const seats = await seatsByReservation(knex, rows.map((r) => r.id));
  return { reservations: rows.map((r) => serializeReservation(r, seats.get(r.id) ?? [])), total };
}
