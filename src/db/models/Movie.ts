import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Showtime } from './Showtime';

export class Movie extends BaseModel {
  static tableName = 'movies';

  id!: number;
  title!: string;
  description!: string | null;
  duration_minutes!: number;
  genre!: string | null;
  rating!: string | null;
  poster_url!: string | null;
  showtimes?: Showtime[];

  static relationMappings = (): RelationMappings => ({
    showtimes: {
      relation: BaseModel.HasManyRelation,
      modelClass: Showtime,
      join: { from: 'movies.id', to: 'showtimes.movie_id' },
    },
  });
}
