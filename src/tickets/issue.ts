import { randomUUID, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import { SOLD_STATUSES } from '../../workflows/statuses';
import { secretHash, signTicket } from './secret';

/**
 * One ticket per seat of a booking, in one statement: a retry (the activity runs at least once)
 * finds the tickets it made before and makes no others. Returns every ticket id of the booking.
 */
export async function issueTicketsFor(knex: Knex, privateKey: KeyObject, reservationId: string): Promise<string[]> {
  return knex.transaction(async (trx) => {
    const seats: { showtime_id: number; seat_id: number }[] = await trx('reservation_seats as rs')
      .join('reservations as r', 'r.id', 'rs.reservation_id')
      .where({ 'rs.reservation_id': reservationId, 'rs.is_active': true })
      .whereIn('r.status', SOLD_STATUSES)
      .orderBy('rs.seat_id')
      .select('rs.showtime_id', 'rs.seat_id');
    if (seats.length > 0) {
      const rows = seats.map(({ showtime_id, seat_id }) => {
        const id = randomUUID();
        return { id, reservation_id: reservationId, showtime_id, seat_id, secret_hash: secretHash(signTicket(privateKey, { ticketId: id, showtimeId: showtime_id, seatId: seat_id })) };
      });
      await trx('tickets').insert(rows).onConflict(['reservation_id', 'seat_id']).ignore();
    }
    return trx('tickets').where({ reservation_id: reservationId }).orderBy('seat_id').pluck('id');
  });
}

/** Revokes every ticket of a booking that is still good; returns all its revoked ticket ids. */
export async function revokeTicketsOf(knex: Knex, reservationId: string): Promise<string[]> {
  await knex('tickets')
    .where({ reservation_id: reservationId, status: 'issued' })
    .update({ status: 'revoked', revoked_at: knex.raw('coalesce(revoked_at, now())') });
  return knex('tickets').where({ reservation_id: reservationId, status: 'revoked' }).orderBy('seat_id').pluck('id');
}
