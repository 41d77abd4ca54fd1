import { Model, type Modifiers, type QueryBuilder, type RelationMappings } from 'objection';
import type { TicketStatus } from '../../tickets/view';
import { Checkin } from './Checkin';
import { Reservation } from './Reservation';
import { Seat } from './Seat';
import { Showtime } from './Showtime';

/**
 * One ticket per seat of a confirmed booking. Only the secret's SHA-256 is kept: the secret is
 * signed again from the key when the ticket is shown. No audit fields; its own times say what happened.
 */
export class Ticket extends Model {
  static tableName = 'tickets';

  id!: string;
  reservation_id!: string;
  showtime_id!: number;
  seat_id!: number;
  secret_hash!: string;
  /** As stored; an `issued` ticket reads as expired once its show has ended (EFFECTIVE_STATUS_SQL). */
  status!: TicketStatus;
  issued_at!: Date;
  revoked_at!: Date | null;
  expired_at!: Date | null;
  reservation?: Reservation;
  showtime?: Showtime;
  seat?: Seat;
  checkin?: Checkin | null;

  static modifiers: Modifiers<QueryBuilder<Ticket>> = {
    /** Tickets of one booking, in seat order: `.modify('ofReservation', id)`. */
    ofReservation(query, reservationId: string) {
      query.where('tickets.reservation_id', reservationId).orderBy('tickets.seat_id');
    },
  };

  static relationMappings = (): RelationMappings => ({
    reservation: {
      relation: Model.BelongsToOneRelation,
      modelClass: Reservation,
      join: { from: 'tickets.reservation_id', to: 'reservations.id' },
    },
    showtime: {
      relation: Model.BelongsToOneRelation,
      modelClass: Showtime,
      join: { from: 'tickets.showtime_id', to: 'showtimes.id' },
    },
    seat: {
      relation: Model.BelongsToOneRelation,
      modelClass: Seat,
      join: { from: 'tickets.seat_id', to: 'seats.id' },
    },
    checkin: {
      relation: Model.HasOneRelation,
      modelClass: Checkin,
      join: { from: 'tickets.id', to: 'checkins.ticket_id' },
    },
  });
}
