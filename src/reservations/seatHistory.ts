import type { Knex } from 'knex';
import { showtimeNotFound } from '../catalog/showtimes/schedule';
import { listPage, type PageWindow } from '../db/listPage';
import { Seat, SeatHistoryEntry, Showtime, type SeatHistoryEvent, type SeatReleaseReason } from '../db/models';
import { notFound } from '../http/errors';

export interface SeatHistoryItem {
  id: number;
  event: SeatHistoryEvent;
  at: string;
  reservation_id: string;
  /** The reservation's user: whose hold, booking or ticket it was. */
  user_id: number;
  actor_id: number | null;
  reason: SeatReleaseReason | null;
  cancel_reason: string | null;
}

/**
 * Every hold, booking, release and check-in of one seat of one showtime, oldest first (in the
 * order the database's triggers wrote them, which for one seat is the order they committed in:
 * a hold of a released seat waits for the release's commit).
 */
export async function loadSeatHistory(
  knex: Knex,
  showtimeId: number,
  seatId: number,
  page: PageWindow,
): Promise<{ items: SeatHistoryItem[]; total: number }> {
  const showtime = await Showtime.query(knex).modify('live').findById(showtimeId).select('id', 'auditorium_id');
  if (!showtime) throw showtimeNotFound(showtimeId);
  // Seats out of service (or deleted since) keep their history: any seat of the auditorium is asked about.
  const seat = await Seat.query(knex).findOne({ id: seatId, auditorium_id: showtime.auditorium_id }).select('id');
  if (!seat) throw notFound('SEAT_NOT_FOUND', `Showtime ${showtimeId} has no seat ${seatId}`);

  const ofSeat = SeatHistoryEntry.query(knex).where({ 'seat_history.showtime_id': showtimeId, 'seat_history.seat_id': seatId });
  const { rows, total } = await listPage(ofSeat, page, (q) =>
    q.joinRelated('reservation').select('seat_history.*', 'reservation.user_id').orderBy('seat_history.id').castTo<(SeatHistoryEntry & { user_id: number })[]>(),
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      event: r.event,
      at: r.occurred_at.toISOString(),
      reservation_id: r.reservation_id,
      user_id: r.user_id,
      actor_id: r.actor_id,
      reason: r.reason,
      cancel_reason: r.cancel_reason,
    })),
    total,
  };
}
