import Router from '@koa/router';
import type { Knex } from 'knex';
import type { AppDeps } from '../../../deps';
import { requireAuth, requireRole } from '../../../http/auth';
import { conflict, notFound } from '../../../http/errors';
import { IdParams } from '../../../http/ids';
import { offsetOf, pageOf } from '../../../http/pagination';
import { parseBody, parseParams, parseQuery } from '../../../http/validate';
import { CreateMovieBody, ListMoviesQuery, UpdateMovieBody, type MovieView } from './schema';

interface MovieRow {
  id: number;
  title: string;
  description: string | null;
  duration_minutes: number;
  genre: string | null;
  rating: string | null;
  poster_url: string | null;
  created_at: Date;
  updated_at: Date;
}

const MOVIE_COLUMNS = ['id', 'title', 'description', 'duration_minutes', 'genre', 'rating', 'poster_url', 'created_at', 'updated_at'];

export const serializeMovie = (m: MovieRow): MovieView => ({
  id: m.id,
  title: m.title,
  description: m.description,
  duration_minutes: m.duration_minutes,
  genre: m.genre,
  rating: m.rating,
  poster_url: m.poster_url,
  created_at: m.created_at.toISOString(),
  updated_at: m.updated_at.toISOString(),
});

/** `%`, `_` and the escape character itself match literally in a search term. */
export const escapeLike = (term: string): string => term.replace(/[\\%_]/g, (c) => `\\${c}`);

const movieNotFound = (id: number) => notFound('MOVIE_NOT_FOUND', `Movie ${id} does not exist`);

async function liveMovie(knex: Knex, id: number): Promise<MovieRow> {
  const row: MovieRow | undefined = await knex('movies').where({ id, is_deleted: false }).first(MOVIE_COLUMNS);
  if (!row) throw movieNotFound(id);
  return row;
}

/** /movies: public reads, admin writes. Deleted movies are 404 and hidden from lists. */
export function moviesRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/movies' });
  const adminOnly = [requireAuth(config.jwtSecret), requireRole('admin')];

  router.get('/', async (ctx) => {
    const q = parseQuery(ctx, ListMoviesQuery);
    const query = knex('movies').where('is_deleted', false);
    // Written against lower(title) so the planner can use the movies_title_trgm GIN index.
    if (q.q) query.whereRaw(`lower(title) LIKE '%' || lower(?) || '%' ESCAPE '\\'`, [escapeLike(q.q)]);
    if (q.genre) query.whereRaw('lower(genre) = lower(?)', [q.genre]);
    const [rows, [{ count }]] = await Promise.all([
      query
        .clone()
        .orderByRaw('lower(title), id')
        .limit(q.page_size)
        .offset(offsetOf(q))
        .select<MovieRow[]>(MOVIE_COLUMNS),
      query.clone().count<{ count: number }[]>({ count: '*' }),
    ]);
    ctx.body = pageOf(rows.map(serializeMovie), q, Number(count));
  });

  router.post('/', ...adminOnly, async (ctx) => {
    const body = parseBody(ctx, CreateMovieBody);
    const [row]: MovieRow[] = await knex('movies').insert(body).returning(MOVIE_COLUMNS);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/movies/${row.id}`);
    ctx.body = serializeMovie(row);
  });

  router.get('/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeMovie(await liveMovie(knex, id));
  });

  // Showtimes already scheduled keep their ends_at when the duration changes; PATCH a
  // showtime's starts_at to re-plan it with the new duration.
  router.patch('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const body = parseBody(ctx, UpdateMovieBody);
    const [row]: MovieRow[] = await knex('movies')
      .where({ id, is_deleted: false })
      .update({ ...body, updated_at: knex.fn.now() })
      .returning(MOVIE_COLUMNS);
    if (!row) throw movieNotFound(id);
    ctx.body = serializeMovie(row);
  });

  router.delete('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    await knex.transaction(async (trx) => {
      // FOR UPDATE waits for (and then blocks) POST /showtimes, which reads the movie FOR SHARE,
      // so a showtime cannot be scheduled between the check and the delete.
      const movie = await trx('movies').where({ id, is_deleted: false }).forUpdate().first('id');
      if (!movie) throw movieNotFound(id);
      // A showtime that is running now counts too: its audience is in the auditorium.
      const upcoming: { count: number }[] = await trx('showtimes')
        .where({ movie_id: id, is_deleted: false })
        .andWhere('ends_at', '>', trx.fn.now())
        .count({ count: '*' });
      const count = Number(upcoming[0].count);
      if (count > 0) {
        throw conflict('MOVIE_HAS_SHOWTIMES', `Movie ${id} has ${count} upcoming showtime(s); delete them first`, { showtime_count: count });
      }
      await trx('movies').where({ id }).update({ is_deleted: true, updated_at: trx.fn.now() });
    });
    ctx.status = 204;
  });

  return router;
}
