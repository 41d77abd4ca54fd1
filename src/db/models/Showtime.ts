import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Movie } from './Movie';
import { Auditorium } from './Auditorium';
import { Reservation } from './Reservation';
import { SeatVersion } from './SeatVersion';

export class Showtime extends BaseModel {
  static tableName = 'showtimes';

  id!: number;
  movie_id!: number;
  auditorium_id!: number;
  starts_at!: Date;
  ends_at!: Date;
  /** numeric(10,2) as a decimal string */
  base_price!: string;
  movie?: Movie;
  auditorium?: Auditorium;
  reservations?: Reservation[];
  seatVersion?: SeatVersion | null;

  static relationMappings = (): RelationMappings => ({
    movie: { relation: BaseModel.BelongsToOneRelation, modelClass: Movie, join: { from: 'showtimes.movie_id', to: 'movies.id' } },
    auditorium: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Auditorium,
      join: { from: 'showtimes.auditorium_id', to: 'auditoriums.id' },
    },
    reservations: {
      relation: BaseModel.HasManyRelation,
      modelClass: Reservation,
      join: { from: 'showtimes.id', to: 'reservations.showtime_id' },
    },
    seatVersion: {
      relation: BaseModel.HasOneRelation,
      modelClass: SeatVersion,
      join: { from: 'showtimes.id', to: 'seat_versions.showtime_id' },
    },
  });
}
