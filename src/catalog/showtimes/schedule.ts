import type { Knex } from 'knex';
import { listPage } from '../../db/listPage';
import { Auditorium, Movie, Reservation, Showtime } from '../../db/models';
import { isPgError, PG_EXCLUSION_VIOLATION } from '../../db/pgErrors';
import { conflict, notFound, unprocessable } from '../../http/errors';
import { BOOKING_STATUSES } from '../../../workflows/statuses';
import { forgetHoldShowtime } from '../../reservations/holdShowtime';

/** What schedules a showtime, as the API takes it. */
export interface ShowtimeFields {
  movie_id: number;
  auditorium_id: number;
  starts_at: Date;
  base_price: string;
}

/** The exclusion constraint that keeps showtimes of one auditorium apart (initial migration). */
const NO_OVERLAP_CONSTRAINT = 'showtimes_no_overlap';

export const showtimeNotFound = (id: number) => notFound('SHOWTIME_NOT_FOUND', `Showtime ${id} does not exist`);

// A movie or auditorium named in the body that does not exist is 404, like SHOWTIME_NOT_FOUND
// and SEAT_NOT_FOUND for the ids in a POST /reservations body: the request is well-formed, the
// thing it points at is missing.
async function schedulableMovie(trx: Knex, id: number): Promise<{ id: number; duration_minutes: number }> {
  // FOR SHARE: DELETE /movies/:id takes FOR UPDATE, so the movie cannot vanish under this showtime.
  const movie = await Movie.query(trx).modify('live').findById(id).forShare().select('id', 'duration_minutes');
  if (!movie) throw notFound('MOVIE_NOT_FOUND', `Movie ${id} does not exist`);
  return movie;
}

async function schedulableAuditorium(trx: Knex, id: number): Promise<void> {
  const auditorium = await Auditorium.query(trx).modify('live').findById(id).forShare().select('id');
  if (!auditorium) throw notFound('AUDITORIUM_NOT_FOUND', `Auditorium ${id} does not exist`);
}

function assertInFuture(startsAt: Date): void {
  if (startsAt.getTime() <= Date.now()) {
    throw unprocessable('SHOWTIME_IN_PAST', 'starts_at must be in the future', {
      errors: [{ location: 'body', field: 'starts_at', message: 'must be in the future', code: 'in_past' }],
    });
  }
}

const endsAt = (startsAt: Date, durationMinutes: number, cleaningBufferMinutes: number) =>
  new Date(startsAt.getTime() + (durationMinutes + cleaningBufferMinutes) * 60_000);

/**
 * Overlaps are decided by the database's exclusion constraint, not by a read beforehand, so two
 * concurrent requests for one slot cannot both succeed: the second waits for the first to commit
 * and then fails with 23P01. That failure becomes 422 SHOWTIME_OVERLAP, naming the showtime in
 * the way when it can still be found.
 */
async function overlapError(knex: Knex, slot: { auditorium_id: number; starts_at: Date; ends_at: Date; excludeId?: number }) {
  const other = await Showtime.query(knex)
    .modify('live')
    .where('auditorium_id', slot.auditorium_id)
    .whereRaw(`tstzrange(starts_at, ends_at, '[)') && tstzrange(?, ?, '[)')`, [slot.starts_at, slot.ends_at])
    .modify((q) => {
      if (slot.excludeId) q.whereNot('id', slot.excludeId);
    })
    .orderBy('starts_at')
    .select('id', 'starts_at', 'ends_at')
    .first();
  const detail = other
    ? `Auditorium ${slot.auditorium_id} is in use by showtime ${other.id} from ${other.starts_at.toISOString()} to ${other.ends_at.toISOString()} (cleaning included)`
    : `Auditorium ${slot.auditorium_id} is in use at that time`;
  return unprocessable('SHOWTIME_OVERLAP', detail, other ? { conflicting_showtime_id: other.id } : {});
}

export async function createShowtime(knex: Knex, cleaningBufferMinutes: number, input: ShowtimeFields): Promise<Showtime> {
  assertInFuture(input.starts_at);
  const planned = { ...input, ends_at: input.starts_at };
  try {
    return await Showtime.transaction(knex, async (trx) => {
      const movie = await schedulableMovie(trx, input.movie_id);
      await schedulableAuditorium(trx, input.auditorium_id);
      planned.ends_at = endsAt(input.starts_at, movie.duration_minutes, cleaningBufferMinutes);
      return await Showtime.query(trx).insert(planned).returning('*');
    });
  } catch (err) {
    if (isPgError(err, PG_EXCLUSION_VIOLATION, NO_OVERLAP_CONSTRAINT)) throw await overlapError(knex, planned);
    throw err;
  }
}

async function bookingCount(trx: Knex, showtimeId: number): Promise<number> {
  return Reservation.query(trx).where('showtime_id', showtimeId).whereIn('status', BOOKING_STATUSES).resultSize();
}

const hasBookings = (id: number, count: number, action: string) =>
  conflict('SHOWTIME_HAS_BOOKINGS', `Showtime ${id} has ${count} active or confirmed reservation(s) and cannot be ${action}`, { reservation_count: count });

export async function updateShowtime(knex: Knex, cleaningBufferMinutes: number, id: number, input: Partial<ShowtimeFields>): Promise<Showtime> {
  if (input.starts_at) assertInFuture(input.starts_at);
  let planned: { auditorium_id: number; starts_at: Date; ends_at: Date } | undefined;
  try {
    const updated = await Showtime.transaction(knex, async (trx) => {
      const current = await Showtime.query(trx).modify('live').findById(id).forUpdate();
      if (!current) throw showtimeNotFound(id);
      const next = {
        movie_id: input.movie_id ?? current.movie_id,
        auditorium_id: input.auditorium_id ?? current.auditorium_id,
        starts_at: input.starts_at ?? current.starts_at,
      };
      const moves =
        next.movie_id !== current.movie_id || next.auditorium_id !== current.auditorium_id || next.starts_at.getTime() !== current.starts_at.getTime();
      if (moves) {
        // Ticket holders bought this movie at this time in this auditorium, and their seat ids
        // belong to it; a price change is fine (reservations keep their price_at_booking).
        const count = await bookingCount(trx, id);
        if (count > 0) throw hasBookings(id, count, 'moved or changed to another movie');
      }
      const changes: Partial<ShowtimeFields & { ends_at: Date }> = {};
      if (input.base_price !== undefined) changes.base_price = input.base_price;
      // Naming any schedule field, even with its current value, re-plans ends_at with the
      // movie's current duration: that is how a changed duration reaches existing showtimes.
      if (input.movie_id !== undefined || input.auditorium_id !== undefined || input.starts_at !== undefined) {
        const movie = await schedulableMovie(trx, next.movie_id);
        if (next.auditorium_id !== current.auditorium_id) await schedulableAuditorium(trx, next.auditorium_id);
        planned = { auditorium_id: next.auditorium_id, starts_at: next.starts_at, ends_at: endsAt(next.starts_at, movie.duration_minutes, cleaningBufferMinutes) };
        Object.assign(changes, { movie_id: next.movie_id, ...planned });
      }
      return await Showtime.query(trx).patchAndFetchById(id, changes);
    });
    // Holds read the showtime through a short cache; this process's next hold sees the change at once.
    forgetHoldShowtime(id);
    return updated;
  } catch (err) {
    if (planned && isPgError(err, PG_EXCLUSION_VIOLATION, NO_OVERLAP_CONSTRAINT)) throw await overlapError(knex, { ...planned, excludeId: id });
    throw err;
  }
}

/** A live showtime. */
export async function findShowtime(knex: Knex, id: number): Promise<Showtime> {
  const showtime = await Showtime.query(knex).modify('live').findById(id);
  if (!showtime) throw showtimeNotFound(id);
  return showtime;
}

export interface ShowtimeFilter {
  movie_id?: number;
  auditorium_id?: number;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** Live showtimes by start; past ones too unless `from` says otherwise: the filter is the caller's. */
export async function listShowtimes(knex: Knex, f: ShowtimeFilter): Promise<{ showtimes: Showtime[]; total: number }> {
  const query = Showtime.query(knex).modify('live');
  if (f.movie_id) query.where('movie_id', f.movie_id);
  if (f.auditorium_id) query.where('auditorium_id', f.auditorium_id);
  if (f.from) query.where('starts_at', '>=', f.from);
  if (f.to) query.where('starts_at', '<', f.to);
  const { rows: showtimes, total } = await listPage(query, f, (q) => q.orderBy([{ column: 'starts_at' }, { column: 'id' }]));
  return { showtimes, total };
}

/** Soft delete, which also frees the slot: the exclusion constraint ignores deleted showtimes. */
export async function deleteShowtime(knex: Knex, id: number): Promise<void> {
  await Showtime.transaction(knex, async (trx) => {
    const current = await Showtime.query(trx).modify('live').findById(id).forUpdate().select('id');
    if (!current) throw showtimeNotFound(id);
    const count = await bookingCount(trx, id);
    if (count > 0) throw hasBookings(id, count, 'deleted');
    await Showtime.query(trx).findById(id).patch({ is_deleted: true });
  });
  forgetHoldShowtime(id);
}
