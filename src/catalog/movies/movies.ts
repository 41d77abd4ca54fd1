import type { Knex } from 'knex';
import { conflict, notFound } from '../../http/errors';
import { listPage } from '../../db/listPage';
import { Movie, Showtime } from '../../db/models';

/** What a movie is made of, as the API takes it. */
export interface MovieFields {
  title: string;
  description?: string | null;
  duration_minutes: number;
  genre?: string | null;
  rating?: string | null;
  poster_url?: string | null;
}

export interface MovieFilter {
  q?: string;
  genre?: string;
  limit: number;
  offset: number;
}

/** `%`, `_` and the escape character itself match literally in a search term. */
export const escapeLike = (term: string): string => term.replace(/[\\%_]/g, (c) => `\\${c}`);

const movieNotFound = (id: number) => notFound('MOVIE_NOT_FOUND', `Movie ${id} does not exist`);

/** Live movies matching a title search and genre, by title, with the total count. */
export async function listMovies(knex: Knex, filter: MovieFilter): Promise<{ movies: Movie[]; total: number }> {
  const query = Movie.query(knex).modify('live');
  // Written against lower(title) so the planner can use the movies_title_trgm GIN index.
  if (filter.q) query.whereRaw(`lower(title) LIKE '%' || lower(?) || '%' ESCAPE '\\'`, [escapeLike(filter.q)]);
  if (filter.genre) query.whereRaw('lower(genre) = lower(?)', [filter.genre]);
  const { rows: movies, total } = await listPage(query, filter, (q) => q.orderByRaw('lower(title), id'));
  return { movies, total };
}

export async function findMovie(knex: Knex, id: number): Promise<Movie> {
  const movie = await Movie.query(knex).modify('live').findById(id);
  if (!movie) throw movieNotFound(id);
  return movie;
}

export async function createMovie(knex: Knex, fields: MovieFields): Promise<Movie> {
  return await Movie.query(knex).insert(fields).returning('*');
}

/**
 * Showtimes already scheduled keep their ends_at when the duration changes; PATCH a
 * showtime's starts_at to re-plan it with the new duration.
 */
export async function updateMovie(knex: Knex, id: number, fields: Partial<MovieFields>): Promise<Movie> {
  const [movie] = await Movie.query(knex).modify('live').where('id', id).patch(fields).returning('*');
  if (!movie) throw movieNotFound(id);
  return movie;
}

/** A soft delete, refused while the movie has a showtime that has not ended. */
export async function deleteMovie(knex: Knex, id: number): Promise<void> {
  await Movie.transaction(knex, async (trx) => {
    // FOR UPDATE waits for (and then blocks) POST /showtimes, which reads the movie FOR SHARE,
    // so a showtime cannot be scheduled between the check and the delete.
    const movie = await Movie.query(trx).modify('live').findById(id).forUpdate();
    if (!movie) throw movieNotFound(id);
    // A showtime that is running now counts too: its audience is in the auditorium.
    const count = await Showtime.query(trx).modify('live').where({ movie_id: id }).where('ends_at', '>', trx.fn.now()).resultSize();
    if (count > 0) {
      throw conflict('MOVIE_HAS_SHOWTIMES', `Movie ${id} has ${count} upcoming showtime(s); delete them first`, { showtime_count: count });
    }
    await Movie.query(trx).findById(id).patch({ is_deleted: true });
  });
}
