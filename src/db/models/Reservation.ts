import type { Modifiers, QueryBuilder, RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Payment } from './Payment';
import { ReservationSeat } from './ReservationSeat';
import { Showtime } from './Showtime';
import { Ticket } from './Ticket';
import { User } from './User';
import type { ReservationStatus } from '../../../workflows/statuses';

export class Reservation extends BaseModel {
  static tableName = 'reservations';

  id!: string;
  user_id!: number;
  showtime_id!: number;
  status!: ReservationStatus;
  /** numeric(10,2) as a decimal string */
  total_price!: string;
  hold_expires_at!: Date;
  confirmed_at!: Date | null;
  cancelled_at!: Date | null;
  expired_at!: Date | null;
  completed_at!: Date | null;
  cancel_reason!: string | null;
  /** numeric(10,2) as a decimal string */
  refund_amount!: string | null;
  payment_id!: string | null;
  payment_error!: string | null;
  idempotency_key!: string | null;
  workflow_id!: string;
  seats?: ReservationSeat[];
  user?: User;
  showtime?: Showtime;
  payments?: Payment[];
  tickets?: Ticket[];

  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    ...BaseModel.modifiers,
    /** Reservations in one of the given statuses: `.modify('inStatuses', HOLD_STATUSES)`. */
    inStatuses(query, statuses: readonly ReservationStatus[]) {
      query.whereIn('reservations.status', statuses);
    },
  };

  static relationMappings = (): RelationMappings => ({
    seats: {
      relation: BaseModel.HasManyRelation,
      modelClass: ReservationSeat,
      join: { from: 'reservations.id', to: 'reservation_seats.reservation_id' },
    },
    user: { relation: BaseModel.BelongsToOneRelation, modelClass: User, join: { from: 'reservations.user_id', to: 'users.id' } },
    showtime: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Showtime,
      join: { from: 'reservations.showtime_id', to: 'showtimes.id' },
    },
    payments: { relation: BaseModel.HasManyRelation, modelClass: Payment, join: { from: 'reservations.id', to: 'payments.reservation_id' } },
    tickets: { relation: BaseModel.HasManyRelation, modelClass: Ticket, join: { from: 'reservations.id', to: 'tickets.reservation_id' } },
  });
}

/** The columns the API shows of a reservation (all but idempotency_key and is_deleted). */
export const RESERVATION_COLUMNS = [
  'id', 'user_id', 'showtime_id', 'status', 'total_price', 'hold_expires_at', 'confirmed_at', 'cancelled_at', 'expired_at',
  'completed_at', 'cancel_reason', 'refund_amount', 'payment_id', 'payment_error', 'workflow_id', 'created_at', 'updated_at',
] as const satisfies readonly (keyof Reservation)[];

/** A reservation as read with RESERVATION_COLUMNS. */
export type ReservationRow = Pick<Reservation, (typeof RESERVATION_COLUMNS)[number]>;
