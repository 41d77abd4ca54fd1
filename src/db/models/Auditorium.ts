import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Seat } from './Seat';
import { Showtime } from './Showtime';

export class Auditorium extends BaseModel {
  static tableName = 'auditoriums';

  id!: number;
  name!: string;
  /** The best view, for best-available holds; both null: the centre of the middle rows. */
  focal_row!: string | null;
  /** A seat number in focal_row, a half between two; numeric, so it comes back as a string. */
  focal_seat!: string | null;
  seats?: Seat[];
  showtimes?: Showtime[];

  static relationMappings = (): RelationMappings => ({
    seats: {
      relation: BaseModel.HasManyRelation,
      modelClass: Seat,
      join: { from: 'auditoriums.id', to: 'seats.auditorium_id' },
    },
    showtimes: {
      relation: BaseModel.HasManyRelation,
      modelClass: Showtime,
      join: { from: 'auditoriums.id', to: 'showtimes.auditorium_id' },
    },
  });
}
