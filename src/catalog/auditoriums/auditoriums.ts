import type { Knex } from 'knex';
import { listPage, type PageWindow } from '../../db/listPage';
import { Auditorium, Seat } from '../../db/models';
import { isPgError, PG_UNIQUE_VIOLATION } from '../../db/pgErrors';
import { conflict, notFound } from '../../http/errors';
import { auditoriumSeats, seatsForLayout, type SeatLayoutRow } from './seats';

/** An auditorium in a list: its seat counts instead of its seats. */
export type AuditoriumSummary = Auditorium & { seat_count: number; active_seat_count: number };

export interface SeatChanges {
  seat_type?: Seat['seat_type'];
  price_modifier?: string;
  is_active?: boolean;
}

const auditoriumNotFound = (id: number) => notFound('AUDITORIUM_NOT_FOUND', `Auditorium ${id} does not exist`);
/** Names are unique case-insensitively among live auditoriums (auditoriums_name_unique). */
const NAME_INDEX = 'auditoriums_name_unique';
// Keeps each INSERT well below Postgres's 65,535 bind parameters (5 per seat).
const SEAT_INSERT_BATCH = 1000;

export async function listAuditoriums(knex: Knex, page: PageWindow): Promise<{ auditoriums: AuditoriumSummary[]; total: number }> {
  const { rows: auditoriums, total } = await listPage(Auditorium.query(knex).modify('live'), page, (q) =>
    q
      .orderByRaw('lower(name), id')
      // Two correlated counts: one query for the page, however many seats each auditorium has.
      .select(
        'id',
        'name',
        'focal_row',
        'focal_seat',
        'created_at',
        'updated_at',
        knex.raw('(SELECT count(*) FROM seats s WHERE s.auditorium_id = auditoriums.id AND NOT s.is_deleted) AS seat_count'),
        knex.raw('(SELECT count(*) FROM seats s WHERE s.auditorium_id = auditoriums.id AND NOT s.is_deleted AND s.is_active) AS active_seat_count'),
      )
      .castTo<AuditoriumSummary[]>(),
  );
  return { auditoriums, total };
}

/** A live auditorium with its seats in reading order. */
export async function findAuditorium(knex: Knex, id: number): Promise<Auditorium & { seats: Seat[] }> {
  const auditorium = await Auditorium.query(knex).modify('live').findById(id);
  if (!auditorium) throw auditoriumNotFound(id);
  return Object.assign(auditorium, { seats: await auditoriumSeats(knex, id) });
}

/** An auditorium and its generated seats, in one transaction. */
export async function createAuditorium(
  knex: Knex,
  name: string,
  rows: SeatLayoutRow[],
  focal?: { row: string; seat: number } | null,
): Promise<Auditorium & { seats: Seat[] }> {
  const created = await Auditorium.transaction(knex, async (trx) => {
    const auditorium = await Auditorium.query(trx)
      .insert({ name, focal_row: focal?.row ?? null, focal_seat: focal ? String(focal.seat) : null })
      .returning('*');
    const seats = seatsForLayout(auditorium.id, rows);
    for (let i = 0; i < seats.length; i += SEAT_INSERT_BATCH) await Seat.query(trx).insert(seats.slice(i, i + SEAT_INSERT_BATCH));
    return auditorium;
  }).catch((err: unknown) => {
    if (isPgError(err, PG_UNIQUE_VIOLATION, NAME_INDEX)) throw conflict('AUDITORIUM_NAME_TAKEN', `An auditorium named "${name}" already exists`);
    throw err;
  });
  return Object.assign(created, { seats: await auditoriumSeats(knex, created.id) });
}

/**
 * A seat taken out of service can no longer be held (the hold path checks is_active);
 * reservations it already has stand, and the seat map keeps showing them as held/booked.
 */
export async function updateSeat(knex: Knex, auditoriumId: number, seatId: number, changes: SeatChanges): Promise<Seat> {
  await findLiveAuditoriumId(knex, auditoriumId);
  const [seat] = await Seat.query(knex).modify('live').where({ id: seatId, auditorium_id: auditoriumId }).patch(changes).returning('*');
  if (!seat) throw notFound('SEAT_NOT_FOUND', `Auditorium ${auditoriumId} has no seat ${seatId}`);
  return seat;
}

async function findLiveAuditoriumId(knex: Knex, id: number): Promise<void> {
  const found = await Auditorium.query(knex).modify('live').findById(id).select('id');
  if (!found) throw auditoriumNotFound(id);
}
