import type { Knex } from 'knex';
import type { Config } from '../config';
import { rankCandidates } from './bestAvailable';
import { soldOut, takenSeats } from './claimBestAvailable';
import type { BestAvailableHold } from './holdRequest';
import { purchaseLimitBreach, type LimitSubject } from './purchaseLimits';
import { seatLayout, type AuditoriumLayout } from './seatLayout';

/** Free seats of the wanted type: committed holds and bookings count, in-flight ones do not. */
async function freeSeatCount(knex: Knex, req: BestAvailableHold): Promise<number> {
  const typeFilter = req.seat_type ? 's.seat_type = ?' : "s.seat_type <> 'wheelchair'";
  const typeBinding = req.seat_type ? [req.seat_type] : [];
  const { rows } = await knex.raw<{ rows: { free: string }[] }>(
    `SELECT (SELECT count(*) FROM seats s JOIN showtimes st ON st.auditorium_id = s.auditorium_id
              WHERE st.id = ? AND s.is_active AND NOT s.is_deleted AND ${typeFilter})
          - (SELECT count(*) FROM reservation_seats rs JOIN seats s ON s.id = rs.seat_id
              WHERE rs.showtime_id = ? AND rs.is_active AND ${typeFilter}) AS free`,
    [req.showtime_id, ...typeBinding, req.showtime_id, ...typeBinding],
  );
  return Number(rows[0].free);
}

/**
 * The cheap refusal path of a best-available hold: from reads alone, without a transaction or
 * Temporal, refuse a party the purchase limits or the committed seats already rule out. A count
 * answers a sold-out showtime in one round trip; only when enough seats are free is the layout
 * looked at. What passes here is decided again inside the transaction.
 */
export async function readBestAvailable(
  knex: Knex,
  limits: Config['purchaseLimits'],
  req: BestAvailableHold,
  subject: LimitSubject,
  auditoriumId: number,
): Promise<AuditoriumLayout> {
  const [free, breach] = await Promise.all([freeSeatCount(knex, req), purchaseLimitBreach(knex, limits, subject)]);
  if (breach) throw breach;
  if (free < req.quantity) throw soldOut(req.quantity);
  const [layout, taken] = await Promise.all([seatLayout(knex, auditoriumId), takenSeats(knex, req.showtime_id)]);
  if (rankCandidates(layout.seats, taken, { quantity: req.quantity, seatType: req.seat_type, together: req.together, focal: layout.focal }).length === 0) {
    throw soldOut(req.quantity);
  }
  return layout;
}

