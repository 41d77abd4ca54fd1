import { Model, type RelationMappings } from 'objection';
import { Showtime } from './Showtime';

/**
 * The latest seat version of a showtime (0 before its first change, when there is no row).
 * Written only by the `seat_event_version()` trigger function, at COMMIT; the code reads it.
 */
export class SeatVersion extends Model {
  static tableName = 'seat_versions';
  static idColumn = 'showtime_id';

  showtime_id!: number;
  /** bigint; a JS number (src/db/knex.ts parses int8). */
  version!: number;
  showtime?: Showtime;

  static relationMappings = (): RelationMappings => ({
    showtime: {
      relation: Model.BelongsToOneRelation,
      modelClass: Showtime,
      join: { from: 'seat_versions.showtime_id', to: 'showtimes.id' },
    },
  });
}
