import { z } from 'zod';
import { IntId } from '../../../http/ids';
import { PaginationQuery } from '../../../http/pagination';
import { moneyString, NOT_EMPTY_MESSAGE, notEmpty, text } from '../fields';

export const MAX_ROWS = 50;
export const MAX_SEATS_PER_ROW = 100;
export const MAX_SEATS_PER_AUDITORIUM = 2500;

export const SeatTypeValue = z.enum(['regular', 'premium', 'wheelchair'], { error: 'must be one of regular, premium, wheelchair' });

/** A seat's surcharge (or discount) on the showtime's base price. */
export const PriceModifier = moneyString(-99_999, 99_999);

const RowLabel = z
  .string({ error: 'must be 1 to 3 letters' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{1,3}$/, 'must be 1 to 3 letters');

const SeatRowInput = z.object({
  row: RowLabel,
  seats: z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_SEATS_PER_ROW, `must be at most ${MAX_SEATS_PER_ROW}`),
  seat_type: SeatTypeValue.default('regular'),
  price_modifier: PriceModifier.default('0.00'),
});
export type SeatRowInput = z.infer<typeof SeatRowInput>;

/**
 * Where the best view is, for best-available holds: a row and a seat number in it, a half for
 * the gap between two seats. Null or absent: the centre of the middle rows.
 */
export const FocalPoint = z
  .object({
    row: RowLabel,
    seat: z
      .number({ error: 'must be a seat number' })
      .min(1, 'must be at least 1')
      .max(MAX_SEATS_PER_ROW, `must be at most ${MAX_SEATS_PER_ROW}`)
      .multipleOf(0.5, 'must be a seat number or halfway between two (e.g. 10.5)'),
  })
  .describe('Where the best view is: a row and a seat number in it (10.5: between seats 10 and 11). Best-available holds start there.');
export type FocalPointInput = z.infer<typeof FocalPoint>;

export const CreateAuditoriumBody = z.object({
  name: text(100),
  focal_point: FocalPoint.nullable()
    .optional()
    .describe('Null or absent: the centre of the middle rows. Its row must be one of `rows`, its seat within that row.'),
  rows: z
    .array(SeatRowInput, { error: 'must be a list of rows' })
    .min(1, 'an auditorium needs at least one row')
    .max(MAX_ROWS, `at most ${MAX_ROWS} rows`)
    .superRefine((rows, ctx) => {
      const seen = new Set<string>();
      rows.forEach((r, i) => {
        if (seen.has(r.row)) ctx.addIssue({ code: 'custom', path: [i, 'row'], message: `row ${r.row} appears more than once` });
        seen.add(r.row);
      });
      const total = rows.reduce((sum, r) => sum + r.seats, 0);
      if (total > MAX_SEATS_PER_AUDITORIUM) ctx.addIssue({ code: 'custom', message: `at most ${MAX_SEATS_PER_AUDITORIUM} seats in all (got ${total})` });
    }),
}).superRefine((body, ctx) => {
  const focal = body.focal_point;
  if (!focal) return;
  const row = body.rows.find((r) => r.row === focal.row);
  if (!row) ctx.addIssue({ code: 'custom', path: ['focal_point', 'row'], message: `row ${focal.row} is not one of the auditorium's rows` });
  else if (focal.seat > row.seats) ctx.addIssue({ code: 'custom', path: ['focal_point', 'seat'], message: `row ${focal.row} has ${row.seats} seats` });
});
export type CreateAuditoriumInput = z.infer<typeof CreateAuditoriumBody>;

export const ListAuditoriumsQuery = PaginationQuery;

export const SeatParams = z.object({ id: IntId, seatId: IntId });

/** Takes a seat out of service (a broken seat) or back, or changes its type or surcharge. */
export const UpdateSeatBody = z
  .object({
    is_active: z.boolean({ error: 'must be true or false' }).optional(),
    seat_type: SeatTypeValue.optional(),
    price_modifier: PriceModifier.optional(),
  })
  .refine(notEmpty, NOT_EMPTY_MESSAGE);

export const SeatView = z.object({
  id: z.number().int(),
  row: z.string(),
  number: z.number().int(),
  label: z.string(),
  seat_type: SeatTypeValue,
  price_modifier: z.string(),
  is_active: z.boolean(),
});
export type SeatView = z.infer<typeof SeatView>;

export const AuditoriumSummaryView = z.object({
  id: z.number().int(),
  name: z.string(),
  seat_count: z.number().int(),
  active_seat_count: z.number().int(),
  focal_point: FocalPoint.nullable(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
});
export type AuditoriumSummaryView = z.infer<typeof AuditoriumSummaryView>;

export const AuditoriumView = AuditoriumSummaryView.extend({ seats: z.array(SeatView) });
export type AuditoriumView = z.infer<typeof AuditoriumView>;
