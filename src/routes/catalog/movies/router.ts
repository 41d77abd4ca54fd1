import Router from '@koa/router';
import type { AppDeps } from '../../../deps';
import { requireAuth, requireRole } from '../../../http/auth';
import { createMovie, deleteMovie, findMovie, listMovies, updateMovie } from '../../../catalog/movies/movies';
import type { Movie } from '../../../db/models';
import { IdParams } from '../../../http/ids';
import { windowOf, pageOf } from '../../../http/pagination';
import { parseBody, parseParams, parseQuery } from '../../../http/validate';
import { CreateMovieBody, ListMoviesQuery, UpdateMovieBody, type MovieView } from './schema';

/** The API's view of a movie (API.md, "Catalog"). */
export const serializeMovie = (m: Movie): MovieView => ({
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

/** /movies: public reads, admin writes. Deleted movies are 404 and hidden from lists. */
export function moviesRouter({ knex, config }: AppDeps): Router {
  const router = new Router({ prefix: '/movies' });
  const adminOnly = [requireAuth(config.jwtSecret), requireRole('admin')];

  router.get('/', async (ctx) => {
    const q = parseQuery(ctx, ListMoviesQuery);
    const { movies, total } = await listMovies(knex, { q: q.q, genre: q.genre, ...windowOf(q) });
    ctx.body = pageOf(movies.map(serializeMovie), q, total);
  });

  router.post('/', ...adminOnly, async (ctx) => {
    const movie = await createMovie(knex, parseBody(ctx, CreateMovieBody));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/movies/${movie.id}`);
    ctx.body = serializeMovie(movie);
  });

  router.get('/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeMovie(await findMovie(knex, id));
  });

  router.patch('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeMovie(await updateMovie(knex, id, parseBody(ctx, UpdateMovieBody)));
  });

  router.delete('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    await deleteMovie(knex, id);
    ctx.status = 204;
  });

  return router;
}
