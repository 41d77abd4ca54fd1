import type { Knex } from 'knex';
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
  const row: { started: boolean } | undefined = await knex('showtimes').where({ id: showtimeId }).first(knex.raw('starts_at <= now() AS started'));
  return row?.started === true ? showtimeStarted() : err;
}
