import { randomUUID, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { QueryBuilder } from 'objection';
import { SOLD_STATUSES } from '../../workflows/statuses';
import { ReservationSeat, Ticket } from '../db/models';
import { secretHash, signTicket } from './secret';

const ticketIds = async (query: QueryBuilder<Ticket>): Promise<string[]> => (await query.select('tickets.id')).map((t) => t.id);

/**
 * One ticket per seat of a booking, in one statement: a retry (the activity runs at least once)
 * finds the tickets it made before and makes no others. Returns every ticket id of the booking.
 */
export async function issueTicketsFor(knex: Knex, privateKey: KeyObject, reservationId: string): Promise<string[]> {
  return Ticket.transaction(knex, async (trx) => issueTicketsIn(trx, privateKey, reservationId));
}

/** The same, inside a transaction the caller owns (the confirm's, which books and issues at once). */
export async function issueTicketsIn(trx: Knex.Transaction, privateKey: KeyObject, reservationId: string): Promise<string[]> {
  const seats = await ReservationSeat.query(trx)
    .joinRelated('reservation')
    .where('reservation_seats.reservation_id', reservationId)
    .modify('active')
    .whereIn('reservation.status', SOLD_STATUSES)
    .orderBy('reservation_seats.seat_id')
    .select('reservation_seats.showtime_id', 'reservation_seats.seat_id');
  if (seats.length > 0) {
    const rows = seats.map(({ showtime_id, seat_id }) => {
      const id = randomUUID();
      return { id, reservation_id: reservationId, showtime_id, seat_id, secret_hash: secretHash(signTicket(privateKey, { ticketId: id, showtimeId: showtime_id, seatId: seat_id })) };
    });
    await Ticket.query(trx).insert(rows).onConflict(['reservation_id', 'seat_id']).ignore();
  }
  return ticketIds(Ticket.query(trx).modify('ofReservation', reservationId));
}

/** Revokes every ticket of a booking that is still good; returns all its revoked ticket ids. */
export async function revokeTicketsOf(knex: Knex, reservationId: string): Promise<string[]> {
  await Ticket.query(knex)
    .where({ reservation_id: reservationId, status: 'issued' })
    .patch({ status: 'revoked', revoked_at: knex.raw('coalesce(revoked_at, now())') });
  return ticketIds(Ticket.query(knex).modify('ofReservation', reservationId).where('status', 'revoked'));
}
