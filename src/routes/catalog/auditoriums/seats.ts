import type { Knex } from 'knex';
import type { SeatType } from '../../../db/models';
import type { SeatRowInput, SeatView } from './schema';

export interface SeatRow {
  id: number;
  row: string;
  number: number;
  seat_type: SeatType;
  price_modifier: string;
  is_active: boolean;
}

export const SEAT_COLUMNS = ['id', 'row', 'number', 'seat_type', 'price_modifier', 'is_active'];

/** Rows in reading order: A..Z before AA (plain text order would put AA between A and B). */
export const SEAT_ORDER_SQL = 'length("row"), "row", "number"';

export const serializeSeat = (s: SeatRow): SeatView => ({
  id: s.id,
  row: s.row,
  number: s.number,
  label: `${s.row}${s.number}`,
  seat_type: s.seat_type,
  price_modifier: s.price_modifier,
  is_active: s.is_active,
});

/** The seats of a layout, numbered from 1 in each row. */
export function seatsForLayout(auditoriumId: number, rows: SeatRowInput[]) {
  return rows.flatMap((r) =>
    Array.from({ length: r.seats }, (_, i) => ({
      auditorium_id: auditoriumId,
      row: r.row,
      number: i + 1,
      seat_type: r.seat_type,
      price_modifier: r.price_modifier,
    })),
  );
}

/** Seats of an auditorium in reading order; deleted seats are gone for good. */
export function auditoriumSeats(knex: Knex, auditoriumId: number): Promise<SeatRow[]> {
  return knex('seats').where({ auditorium_id: auditoriumId, is_deleted: false }).orderByRaw(SEAT_ORDER_SQL).select<SeatRow[]>(SEAT_COLUMNS);
}
