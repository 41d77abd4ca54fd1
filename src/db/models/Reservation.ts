import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { ReservationSeat } from './ReservationSeat';
import type { ReservationStatus } from '../../../workflows/shared';

export class Reservation extends BaseModel {
  static tableName = 'reservations';

  id!: string;
  user_id!: number;
  showtime_id!: number;
  status!: ReservationStatus;
  total_price!: string;
  hold_expires_at!: Date;
  confirmed_at!: Date | null;
  cancelled_at!: Date | null;
  expired_at!: Date | null;
  completed_at!: Date | null;
  cancel_reason!: string | null;
  refund_amount!: string | null;
  payment_id!: string | null;
  payment_error!: string | null;
  idempotency_key!: string | null;
  workflow_id!: string;
  seats?: ReservationSeat[];

  static relationMappings = (): RelationMappings => ({
    seats: {
      relation: BaseModel.HasManyRelation,
      modelClass: ReservationSeat,
      join: { from: 'reservations.id', to: 'reservation_seats.reservation_id' },
    },
  });
}
