import { Model, type Modifiers, type QueryBuilder, type RelationMappings } from 'objection';
import { SeatEventChange } from './SeatEventChange';
import { Showtime } from './Showtime';

/**
 * One committed transaction's seat changes to a showtime, under the version it took. Written
 * only by triggers (migrations/20261201000800_seat_state_and_events.ts); the live stream reads it.
 */
export class SeatEvent extends Model {
  static tableName = 'seat_events';
  static idColumn = ['showtime_id', 'version'];

  showtime_id!: number;
  version!: number;
  /** The writing transaction's id, by which the triggers find its event. */
  txid!: number;
  /** The map itself changed (a seat out of service, a price, the showtime deleted): readers reload it. */
  layout!: boolean;
  created_at!: Date;
  changes?: SeatEventChange[];
  showtime?: Showtime;

  static modifiers: Modifiers<QueryBuilder<SeatEvent>> = {
    /** A showtime's events after the version a reader has seen: `.modify('after', showtimeId, version)`. */
    after(query, showtimeId: number, version: number) {
      query.where('seat_events.showtime_id', showtimeId).where('seat_events.version', '>', version);
    },
  };

  static relationMappings = (): RelationMappings => ({
    changes: {
      relation: Model.HasManyRelation,
      modelClass: SeatEventChange,
      join: {
        from: ['seat_events.showtime_id', 'seat_events.version'],
        to: ['seat_event_changes.showtime_id', 'seat_event_changes.version'],
      },
    },
    showtime: {
      relation: Model.BelongsToOneRelation,
      modelClass: Showtime,
      join: { from: 'seat_events.showtime_id', to: 'showtimes.id' },
    },
  });
}
