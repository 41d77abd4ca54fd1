import type { Knex } from 'knex';
import type { Auditorium } from '../db/models/Auditorium';
import type { Seat } from '../db/models/Seat';
import { focalOf, type FocalPoint, type LayoutSeat } from './bestAvailable';

export interface PricedLayoutSeat extends LayoutSeat {
  auditorium_id: number;
  price_modifier: string;
}

/** What the best-available chooser needs of an auditorium: its seats and where the best view is. */
export interface AuditoriumLayout {
  seats: PricedLayoutSeat[];
  /** The same seats by id, built once with the layout (a hold looks its chosen seats up in it). */
  byId: ReadonlyMap<number, PricedLayoutSeat>;
  focal: FocalPoint;
  /** When its read began (Date.now()): it shows every change committed before. */
  readAt: number;
}

/**
 * Layouts change only when an admin edits seats; in a rush every buyer would otherwise read the
 * same few hundred rows. A stale entry is harmless: the hold re-reads the chosen seats inside its
 * transaction and refuses any that went out of service.
 */
const TTL_MS = 2_000;
const cache = new Map<number, { at: number; layout: Promise<AuditoriumLayout> }>();

async function readLayout(knex: Knex, auditoriumId: number): Promise<AuditoriumLayout> {
  const readAt = Date.now();
  // Plain knex rows, typed from the models: the hold path skips building model instances.
  const [rows, auditorium] = await Promise.all([
    knex('seats')
      .where({ auditorium_id: auditoriumId })
      .select<Pick<Seat, 'id' | 'row' | 'number' | 'seat_type' | 'is_active' | 'is_deleted' | 'price_modifier'>[]>(
        'id', 'row', 'number', 'seat_type', 'is_active', 'is_deleted', 'price_modifier',
      ),
    knex('auditoriums').where({ id: auditoriumId }).first<Pick<Auditorium, 'focal_row' | 'focal_seat'> | undefined>('focal_row', 'focal_seat'),
  ]);
  const seats = rows.map((r) => ({
    id: r.id,
    auditorium_id: auditoriumId,
    row: r.row,
    number: r.number,
    seat_type: r.seat_type,
    usable: r.is_active && !r.is_deleted,
    price_modifier: r.price_modifier,
  }));
  const stored = auditorium?.focal_row && auditorium.focal_seat !== null ? { row: auditorium.focal_row, seat: Number(auditorium.focal_seat) } : null;
  return { seats, byId: new Map(seats.map((seat) => [seat.id, seat])), focal: focalOf(seats, stored), readAt };
}

/** The auditorium's seats and focal point, at most TTL_MS old. */
export function seatLayout(knex: Knex, auditoriumId: number): Promise<AuditoriumLayout> {
  const now = Date.now();
  const hit = cache.get(auditoriumId);
  if (hit && now - hit.at < TTL_MS) return hit.layout;
  const layout = readLayout(knex, auditoriumId);
  cache.set(auditoriumId, { at: now, layout });
  // A failed read is not cached: the next request asks again.
  layout.catch(() => cache.delete(auditoriumId));
  if (cache.size > 1000) cache.delete(cache.keys().next().value as number);
  return layout;
}
