import type { Knex } from 'knex';
import { listPage } from '../db/listPage';
import { Reservation, ReservationSeat, RESERVATION_COLUMNS, type ReservationRow } from '../db/models';
import type { ReservationStatus, RowSeen } from '../../workflows/shared';
import { serializeReservation, type ReservationBody, type ReservationSeatView } from './serialize';

interface SeatOfReservation {
  reservation_id: string;
  seat_id: number;
  row: string;
  number: number;
  price_at_booking: string;
}

/** Seats of several reservations in one query, keyed by reservation id. */
export async function seatsByReservation(knex: Knex, ids: string[]): Promise<Map<string, ReservationSeatView[]>> {
  const map = new Map<string, ReservationSeatView[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return map;
  const rows = await ReservationSeat.query(knex)
    .joinRelated('seat')
    .whereIn('reservation_seats.reservation_id', ids)
    .orderBy([{ column: 'seat.row' }, { column: 'seat.number' }])
    .select('reservation_seats.reservation_id', 'reservation_seats.seat_id', 'seat.row', 'seat.number', 'reservation_seats.price_at_booking')
    .castTo<SeatOfReservation[]>();
  for (const row of rows) {
    map.get(row.reservation_id)?.push({ seat_id: row.seat_id, label: `${row.row}${row.number}`, price: row.price_at_booking });
  }
  return map;
}

/** One reservation with its seats, as the API shows it; null when there is none. */
export async function loadReservationBody(knex: Knex, id: string): Promise<ReservationBody | null> {
  const row: ReservationRow | undefined = await Reservation.query(knex).findById(id).select(RESERVATION_COLUMNS);
  if (!row) return null;
  const seats = await seatsByReservation(knex, [id]);
  return serializeReservation(row, seats.get(id) ?? []);
}

/**
 * One reservation as the API shows it, and what the same read says for its workflow (RowSeen):
 * the row's status and its showtime's start and end, joined in the one query, not in the body.
 * Read before a confirm, cancel or extend, which carry it so the workflow need not ask whether the
 * hold committed. Null when there is none.
 */
export async function loadReservationSeen(knex: Knex, id: string): Promise<{ body: ReservationBody; rowSeen: RowSeen } | null> {
  const row = await Reservation.query(knex)
    .joinRelated('showtime')
    .findById(id)
    .select([...RESERVATION_COLUMNS.map((c) => `reservations.${c}`), 'showtime.starts_at as show_starts_at', 'showtime.ends_at as show_ends_at'])
    .castTo<(ReservationRow & { show_starts_at: Date; show_ends_at: Date }) | undefined>();
  if (!row) return null;
  const seats = await seatsByReservation(knex, [id]);
  return {
    body: serializeReservation(row, seats.get(id) ?? []),
    rowSeen: { status: row.status, show_starts_at: new Date(row.show_starts_at).toISOString(), show_ends_at: new Date(row.show_ends_at).toISOString() },
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
