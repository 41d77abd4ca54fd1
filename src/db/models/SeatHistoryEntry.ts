import { Model, type RelationMappings } from 'objection';
import { Reservation } from './Reservation';
import { ReservationSeat } from './ReservationSeat';
import { Seat } from './Seat';
import { Showtime } from './Showtime';
import { User } from './User';
import type { ReservationStatus } from '../../../workflows/statuses';

/** What happened to the seat, listed once: the API's enums take them from here (the migration's CHECK lists the same). */
export const SEAT_HISTORY_EVENTS = ['held', 'booked', 'released', 'checked_in'] as const;
export type SeatHistoryEvent = (typeof SEAT_HISTORY_EVENTS)[number];
/** Why a seat was released: the reservation's final status. */
export const SEAT_RELEASE_REASONS = ['cancelled', 'expired'] as const satisfies readonly ReservationStatus[];
export type SeatReleaseReason = (typeof SEAT_RELEASE_REASONS)[number];

/**
 * One row of `seat_history`: a hold, booking, release or check-in of a seat of a showtime.
 * Written only by the database's triggers (migrations/20261202000400_seat_history.ts), in the
 * transaction of the change itself, and never changed afterwards by the app. A plain Model, not
 * BaseModel: an audit row has no updated_at and is never soft-deleted.
 */
export class SeatHistoryEntry extends Model {
  static tableName = 'seat_history';

  /** bigint, read as a number (src/db/knex.ts); also the order the entries were written in. */
  id!: number;
  showtime_id!: number;
  seat_id!: number;
  reservation_id!: string;
  event!: SeatHistoryEvent;
  /** Who acted, where known and not the reservation's own user: the staff member who checked the ticket in. */
  actor_id!: number | null;
  /** Releases only: the reservation's final status and its cancel_reason. */
  reason!: SeatReleaseReason | null;
  cancel_reason!: string | null;
  occurred_at!: Date;
  reservation?: Reservation;
  reservationSeat?: ReservationSeat;
  seat?: Seat;
  showtime?: Showtime;
  actor?: User | null;

  static relationMappings = (): RelationMappings => ({
    reservation: { relation: Model.BelongsToOneRelation, modelClass: Reservation, join: { from: 'seat_history.reservation_id', to: 'reservations.id' } },
    // The row's foreign key: the reservation seat the entry is about.
    reservationSeat: {
      relation: Model.BelongsToOneRelation,
      modelClass: ReservationSeat,
      join: { from: ['seat_history.reservation_id', 'seat_history.seat_id'], to: ['reservation_seats.reservation_id', 'reservation_seats.seat_id'] },
    },
    seat: { relation: Model.BelongsToOneRelation, modelClass: Seat, join: { from: 'seat_history.seat_id', to: 'seats.id' } },
    showtime: { relation: Model.BelongsToOneRelation, modelClass: Showtime, join: { from: 'seat_history.showtime_id', to: 'showtimes.id' } },
    actor: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'seat_history.actor_id', to: 'users.id' } },
  });
}
