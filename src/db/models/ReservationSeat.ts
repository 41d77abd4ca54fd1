import type { Modifiers, QueryBuilder, RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Reservation } from './Reservation';
import { Seat } from './Seat';
import { Showtime } from './Showtime';

export class ReservationSeat extends BaseModel {
  static tableName = 'reservation_seats';

  id!: number;
  reservation_id!: string;
  showtime_id!: number;
  seat_id!: number;
  /** numeric(10,2) as a decimal string */
  price_at_booking!: string;
  /** True while the reservation holds or owns the seat; releasing a reservation clears it. */
  is_active!: boolean;
  /** Kept by triggers from the reservation's status, for the seat map. */
  state!: 'held' | 'booked';
  reservation?: Reservation;
  showtime?: Showtime;
  seat?: Seat;

  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    ...BaseModel.modifiers,
    /** Seats a reservation still holds or owns (the partial unique index's rows). */
    active(query) {
      query.where('reservation_seats.is_active', true);
    },
  };

  static relationMappings = (): RelationMappings => ({
    reservation: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Reservation,
      join: { from: 'reservation_seats.reservation_id', to: 'reservations.id' },
    },
    showtime: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Showtime,
      join: { from: 'reservation_seats.showtime_id', to: 'showtimes.id' },
    },
    seat: { relation: BaseModel.BelongsToOneRelation, modelClass: Seat, join: { from: 'reservation_seats.seat_id', to: 'seats.id' } },
  });
}
