import type { Knex } from 'knex';
import type { Seat } from '../db/models/Seat';
import type { LayoutSeat } from './bestAvailable';

export interface PricedLayoutSeat extends LayoutSeat {
  auditorium_id: number;
  price_modifier: string;
}

/**
 * Layouts change only when an admin edits seats; in a rush every buyer would otherwise read the
 * same few hundred rows. A stale entry is harmless: the hold re-reads the chosen seats inside its
 * transaction and refuses any that went out of service.
 */
const TTL_MS = 2_000;
const cache = new Map<number, { at: number; seats: Promise<PricedLayoutSeat[]> }>();

async function readLayout(knex: Knex, auditoriumId: number): Promise<PricedLayoutSeat[]> {
  const rows = await knex('seats')
    .where({ auditorium_id: auditoriumId })
    // Plain knex rows: the hold path skips model instances.
    .select<Pick<Seat, 'id' | 'row' | 'number' | 'seat_type' | 'is_active' | 'is_deleted' | 'price_modifier'>[]>(
      'id', 'row', 'number', 'seat_type', 'is_active', 'is_deleted', 'price_modifier',
    );
  return rows.map((r) => ({
    id: r.id,
    auditorium_id: auditoriumId,
    row: r.row,
    number: r.number,
    seat_type: r.seat_type,
    usable: r.is_active && !r.is_deleted,
    price_modifier: r.price_modifier,
  }));
}

/** The auditorium's seats, at most TTL_MS old. */
export function seatLayout(knex: Knex, auditoriumId: number): Promise<PricedLayoutSeat[]> {
  const now = Date.now();
  const hit = cache.get(auditoriumId);
  if (hit && now - hit.at < TTL_MS) return hit.seats;
  const seats = readLayout(knex, auditoriumId);
  cache.set(auditoriumId, { at: now, seats });
  // A failed read is not cached: the next request asks again.
  seats.catch(() => cache.delete(auditoriumId));
  if (cache.size > 1000) cache.delete(cache.keys().next().value as number);
  return seats;
}
