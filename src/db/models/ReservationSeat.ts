import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Seat } from './Seat';

export class ReservationSeat extends BaseModel {
  static tableName = 'reservation_seats';

  id!: number;
  reservation_id!: string;
  showtime_id!: number;
  seat_id!: number;
  price_at_booking!: string;
  is_active!: boolean;
  seat?: Seat;

  static relationMappings = (): RelationMappings => ({
    seat: { relation: BaseModel.BelongsToOneRelation, modelClass: Seat, join: { from: 'reservation_seats.seat_id', to: 'seats.id' } },
  });
}
