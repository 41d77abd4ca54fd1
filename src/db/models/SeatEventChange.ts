import { Model, type RelationMappings } from 'objection';
import type { SeatStatus } from '../../catalog/showtimes/seatMap';
import { SeatEvent } from './SeatEvent';
import { Seat } from './Seat';

/** One seat's status as a seat event left it. Written only by the `record_seat_change()` trigger. */
export class SeatEventChange extends Model {
  static tableName = 'seat_event_changes';
  static idColumn = ['showtime_id', 'version', 'seat_id'];

  showtime_id!: number;
  version!: number;
  seat_id!: number;
  status!: SeatStatus;
  event?: SeatEvent;
  seat?: Seat;

  static relationMappings = (): RelationMappings => ({
    event: {
      relation: Model.BelongsToOneRelation,
      modelClass: SeatEvent,
      join: {
        from: ['seat_event_changes.showtime_id', 'seat_event_changes.version'],
        to: ['seat_events.showtime_id', 'seat_events.version'],
      },
    },
    seat: {
      relation: Model.BelongsToOneRelation,
      modelClass: Seat,
      join: { from: 'seat_event_changes.seat_id', to: 'seats.id' },
    },
  });
}
