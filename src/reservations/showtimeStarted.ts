import type { Knex } from 'knex';
import { Showtime } from '../db/models';
import { ApiError } from '../http/errors';

/** 409 for a confirm after the show's start: the workflow refuses it before anything is charged. */
export const showtimeStarted = (): ApiError =>
  new ApiError(409, 'SHOWTIME_STARTED', 'The showtime has started; it can no longer be booked, and nothing was charged');

/**
 * A confirm's refusal, with the real reason after the show's start: a hold runs out at the start
 * at the latest, so there HOLD_EXPIRED (from the stored status, or from a workflow that ended
 * while the request was on its way) means SHOWTIME_STARTED.
 */
export async function afterShowStart(knex: Knex, showtimeId: number, err: unknown): Promise<unknown> {
  if (!(err instanceof ApiError) || err.code !== 'HOLD_EXPIRED') return err;
  // Judged by the database clock, the one the hold's expiry and the workflow go by.
  const row = await Showtime.query(knex).findById(showtimeId).select(knex.raw('starts_at <= now() AS started')).castTo<{ started: boolean } | undefined>();
  return row?.started === true ? showtimeStarted() : err;
}
