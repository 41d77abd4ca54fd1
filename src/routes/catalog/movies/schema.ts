import { z } from 'zod';
import { PaginationQuery } from '../../../http/pagination';
import { httpUrl, NOT_EMPTY_MESSAGE, notEmpty, optionalText, text } from '../fields';

/** Matches the movies_duration_positive check in the database. */
export const MAX_DURATION_MINUTES = 1440;

const DurationMinutes = z
  .number({ error: 'must be a whole number of minutes' })
  .int('must be a whole number of minutes')
  .min(1, 'must be at least 1')
  .max(MAX_DURATION_MINUTES, `must be at most ${MAX_DURATION_MINUTES}`);

const PosterUrl = httpUrl(2048).nullable().optional();

const movieFields = {
  title: text(200),
  description: optionalText(5000),
  duration_minutes: DurationMinutes,
  genre: optionalText(50),
  rating: optionalText(20),
  poster_url: PosterUrl,
};

export const CreateMovieBody = z.object(movieFields);
export type CreateMovieInput = z.infer<typeof CreateMovieBody>;

export const UpdateMovieBody = z.object(movieFields).partial().refine(notEmpty, NOT_EMPTY_MESSAGE);
export type UpdateMovieInput = z.infer<typeof UpdateMovieBody>;

// An empty search box sends `?q=`; that means "no filter", not a validation error.
const blankAsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const ListMoviesQuery = PaginationQuery.extend({
  q: z.preprocess(blankAsAbsent, text(100).optional()),
  genre: z.preprocess(blankAsAbsent, text(50).optional()),
});

/** The API's view of a movie. */
export const MovieView = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  duration_minutes: z.number().int(),
  genre: z.string().nullable(),
  rating: z.string().nullable(),
  poster_url: z.string().nullable(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
});
export type MovieView = z.infer<typeof MovieView>;
