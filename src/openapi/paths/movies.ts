import { IdParams } from '../../http/ids';
import { CreateMovieBody, ListMoviesQuery, MovieView, UpdateMovieBody } from '../../routes/catalog/movies/schema';
import { named, pageOf } from '../common';
import type { RouteDoc } from '../types';

const Movie = named('Movie', MovieView);
const ADMIN = { roles: ['admin'] } as const;
const NOT_FOUND = { status: 404, codes: { MOVIE_NOT_FOUND: 'No such movie, or it was deleted' } };
const VALIDATION = { status: 422, codes: { VALIDATION_ERROR: 'A parameter or field is invalid' } };
const ID = { id: 'Movie id' };

export const movieRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/movies',
    operationId: 'listMovies',
    summary: 'List movies',
    description: 'Ordered by title. Deleted movies are not listed.',
    tag: 'movies',
    auth: 'none',
    query: ListMoviesQuery,
    paramDescriptions: { q: 'Case-insensitive search in the title', genre: 'Exact genre, case-insensitive' },
    responses: [{ status: 200, description: 'A page of movies', schema: pageOf('MoviePage', MovieView) }],
    errors: [VALIDATION],
  },
  {
    method: 'POST',
    path: '/api/v1/movies',
    operationId: 'createMovie',
    summary: 'Add a movie (admin)',
    tag: 'movies',
    auth: ADMIN,
    body: {
      schema: named('CreateMovieRequest', CreateMovieBody),
      examples: {
        full: {
          summary: 'Every field',
          value: { title: 'Metropolis', description: 'A futuristic city.', duration_minutes: 153, genre: 'sci-fi', rating: 'PG', poster_url: 'https://example.com/metropolis.jpg' },
        },
        minimal: { summary: 'Only what is required', value: { title: 'Nosferatu', duration_minutes: 94 } },
      },
    },
    responses: [{ status: 201, description: 'The movie', schema: Movie, headers: { Location: 'The new movie\'s URL' } }],
    errors: [VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/movies/:id',
    operationId: 'getMovie',
    summary: 'One movie',
    tag: 'movies',
    auth: 'none',
    params: IdParams,
    paramDescriptions: ID,
    responses: [{ status: 200, description: 'The movie', schema: Movie }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'PATCH',
    path: '/api/v1/movies/:id',
    operationId: 'updateMovie',
    summary: 'Change a movie (admin)',
    description: 'Any subset of the fields; `null` clears an optional one. Showtimes already scheduled keep their `ends_at`.',
    tag: 'movies',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: ID,
    body: { schema: named('UpdateMovieRequest', UpdateMovieBody), examples: { rating: { summary: 'Change the rating, clear the poster', value: { rating: 'PG-13', poster_url: null } } } },
    responses: [{ status: 200, description: 'The changed movie', schema: Movie }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'DELETE',
    path: '/api/v1/movies/:id',
    operationId: 'deleteMovie',
    summary: 'Delete a movie (admin, soft delete)',
    tag: 'movies',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: ID,
    responses: [{ status: 204, description: 'Deleted' }],
    errors: [NOT_FOUND, { status: 409, codes: { MOVIE_HAS_SHOWTIMES: 'The movie has upcoming showtimes (`showtime_count`); delete them first' } }, VALIDATION],
  },
];
