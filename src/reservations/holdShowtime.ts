import type { Knex } from 'knex';

export interface HoldShowtime {
  id: number;
  auditorium_id: number;
  starts_at: Date;
  base_price: string;
  title: string;
}

/** The showtime a hold is for, with its movie's title for the workflow's memo. */
export function loadHoldShowtime(knex: Knex, showtimeId: number): Promise<HoldShowtime | undefined> {
  return knex('showtimes as s')
    .join('movies as m', 'm.id', 's.movie_id')
    .where('s.id', showtimeId)
    .andWhere('s.is_deleted', false)
    .first('s.id', 's.auditorium_id', 's.starts_at', 's.base_price', 'm.title') as Promise<HoldShowtime | undefined>;
}
