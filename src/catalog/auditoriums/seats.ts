import type { Knex } from 'knex';
import { Seat, type SeatType } from '../../db/models';

/** One row of an auditorium's layout: its name and how many seats it has. */
export interface SeatLayoutRow {
  row: string;
  seats: number;
  seat_type: SeatType;
  price_modifier: string;
}

/** Rows in reading order: A..Z before AA (plain text order would put AA between A and B). */
export const SEAT_ORDER_SQL = 'length("row"), "row", "number"';

/** The seats of a layout, numbered from 1 in each row. */
export function seatsForLayout(auditoriumId: number, rows: SeatLayoutRow[]) {
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
export async function auditoriumSeats(knex: Knex, auditoriumId: number): Promise<Seat[]> {
  return await Seat.query(knex).modify('live').where('auditorium_id', auditoriumId).orderByRaw(SEAT_ORDER_SQL);
}
