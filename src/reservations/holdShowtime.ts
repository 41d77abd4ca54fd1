import type { Knex } from 'knex';
import type { Movie, Showtime } from '../db/models';

/** The showtime's fields the hold uses, with its movie's title. */
export type HoldShowtime = Pick<Showtime, 'id' | 'auditorium_id' | 'starts_at' | 'base_price'> & Pick<Movie, 'title'>;

/** The showtime a hold is for, with its movie's title for the workflow's memo. Plain knex rows: the hold path skips model instances. */
export function loadHoldShowtime(knex: Knex, showtimeId: number): Promise<HoldShowtime | undefined> {
  return knex('showtimes as s')
    .join('movies as m', 'm.id', 's.movie_id')
    .where('s.id', showtimeId)
    .andWhere('s.is_deleted', false)
    .first('s.id', 's.auditorium_id', 's.starts_at', 's.base_price', 'm.title') as Promise<HoldShowtime | undefined>;
}
