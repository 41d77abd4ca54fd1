import { BaseModel } from './BaseModel';

export class Movie extends BaseModel {
  static tableName = 'movies';

  id!: number;
  title!: string;
  description!: string | null;
  duration_minutes!: number;
  genre!: string | null;
  rating!: string | null;
  poster_url!: string | null;
}
