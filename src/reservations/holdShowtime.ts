import type { Knex } from 'knex';
import type { Movie, Showtime } from '../db/models';

/** The showtime's fields the hold uses (its times go to the workflow in its input), with its movie's title. */
export type HoldShowtime = Pick<Showtime, 'id' | 'auditorium_id' | 'starts_at' | 'ends_at' | 'base_price'> & Pick<Movie, 'title'>;

/**
 * The showtime a hold is for, with its movie's title for the workflow's memo. Plain knex rows: the
 * hold path skips model instances. A promise, not knex's builder: a builder runs its query again
 * each time it is awaited, so a cached builder was a read per request.
 */
async function readHoldShowtime(knex: Knex, showtimeId: number): Promise<HoldShowtime | undefined> {
  const row: HoldShowtime | undefined = await knex('showtimes as s')
    .join('movies as m', 'm.id', 's.movie_id')
    .where('s.id', showtimeId)
    .andWhere('s.is_deleted', false)
    .first('s.id', 's.auditorium_id', 's.starts_at', 's.ends_at', 's.base_price', 'm.title');
  return row;
}

/**
 * In an on-sale rush every buyer asks for the same showtime row. It changes rarely (an admin's
 * PATCH or DELETE), so one read serves TTL_MS of requests: a deleted showtime is caught inside the
 * hold's transaction, which re-reads it; a new price or start time applies within TTL_MS.
 */
const TTL_MS = 1_000;
const cache = new Map<number, { at: number; row: Promise<HoldShowtime | undefined> }>();

/** The showtime a hold is for (undefined: none, or deleted), with its movie's title for the workflow's memo; at most TTL_MS old. */
export function loadHoldShowtime(knex: Knex, showtimeId: number): Promise<HoldShowtime | undefined> {
  const now = Date.now();
  const hit = cache.get(showtimeId);
  if (hit && now - hit.at < TTL_MS) return hit.row;
  const row = readHoldShowtime(knex, showtimeId);
  cache.set(showtimeId, { at: now, row });
  // Neither a failed read nor a showtime not found is kept: the next request asks again.
  row.then((r) => r ?? cache.delete(showtimeId), () => cache.delete(showtimeId));
  if (cache.size > 1000) cache.delete(cache.keys().next().value as number);
  return row;
}

/** Drops the cached row after this process changed or deleted the showtime: its next hold reads the new price and start. */
export function forgetHoldShowtime(showtimeId: number): void {
  cache.delete(showtimeId);
}
