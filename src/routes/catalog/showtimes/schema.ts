import { z } from 'zod';
import { BodyIntId, IntId } from '../../../http/ids';
import { PaginationQuery } from '../../../http/pagination';
import { moneyString, NOT_EMPTY_MESSAGE, notEmpty, OffsetDateTime } from '../fields';
import { RESERVATION_STATUSES, type ReservationStatus } from '../../../../workflows/statuses';

export const BasePrice = moneyString(0, 9_999_999);

/** Far enough for any real programme; further out is a typo in the year. */
export const MAX_DAYS_AHEAD = 730;
const StartsAt = OffsetDateTime.refine((d) => d.getTime() <= Date.now() + MAX_DAYS_AHEAD * 86_400_000, `must be within ${MAX_DAYS_AHEAD} days from now`);

const showtimeFields = {
  movie_id: BodyIntId,
  auditorium_id: BodyIntId,
  starts_at: StartsAt,
  base_price: BasePrice,
};

export const CreateShowtimeBody = z.object(showtimeFields);
export type CreateShowtimeInput = z.infer<typeof CreateShowtimeBody>;

/** Any subset; a change of movie, auditorium or start re-plans ends_at and re-checks overlaps. */
export const UpdateShowtimeBody = z.object(showtimeFields).partial().refine(notEmpty, NOT_EMPTY_MESSAGE);
export type UpdateShowtimeInput = z.infer<typeof UpdateShowtimeBody>;

/** `from` is inclusive and `to` exclusive, both on starts_at. */
export const ListShowtimesQuery = PaginationQuery.extend({
  movie_id: IntId.optional(),
  auditorium_id: IntId.optional(),
  from: OffsetDateTime.optional(),
  to: OffsetDateTime.optional(),
}).refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'must be later than from' });

export const ShowtimeView = z.object({
  id: z.number().int(),
  movie_id: z.number().int(),
  auditorium_id: z.number().int(),
  starts_at: z.iso.datetime({ offset: true }),
  ends_at: z.iso.datetime({ offset: true }),
  base_price: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
});
export type ShowtimeView = z.infer<typeof ShowtimeView>;

export const SeatStatusValue = z.enum(['available', 'held', 'booked']);
export type SeatStatus = z.infer<typeof SeatStatusValue>;

export const SeatMapView = z.object({
  showtime_id: z.number().int(),
  seats: z.array(
    z.object({
      seat_id: z.number().int(),
      label: z.string(),
      row: z.string(),
      number: z.number().int(),
      seat_type: z.enum(['regular', 'premium', 'wheelchair']),
      price: z.string(),
      status: SeatStatusValue,
    }),
  ),
  counts: z.object({ available: z.number().int(), held: z.number().int(), booked: z.number().int() }),
});
export type SeatMapView = z.infer<typeof SeatMapView>;

const Count = z.number().int().min(0);
const Money = z.string().regex(/^\d+\.\d{2}$/);

/**
 * GET /showtimes/:id/report (admin and staff): how one showtime sells.
 *
 * Seats are counted the way the seat map counts them (seats out of service are left out unless
 * an active reservation still owns one): `seats_sold` are seats of confirmed or completed
 * reservations, `seats_held` seats of held or pending_payment ones, `seats_free` the rest, and
 * `seats_total` their sum. `occupancy_percent` is sold / total * 100 as a JSON number rounded to
 * two decimals (33.33; 0 for an auditorium without seats). Money is two-decimal strings:
 * `gross_revenue` sums `price_at_booking` of the seats of confirmed and completed reservations,
 * `refunds` sums `refund_amount` of cancelled ones. `reservations` counts reservations by status.
 */
export const ShowtimeReportView = z.object({
  showtime_id: z.number().int(),
  movie_title: z.string(),
  starts_at: z.iso.datetime({ offset: true }),
  seats_total: Count.describe('Seats of the auditorium that can be sold, plus any out of service that an active reservation still owns'),
  seats_sold: Count.describe('Seats of confirmed and completed reservations'),
  seats_held: Count.describe('Seats of held and pending_payment reservations'),
  seats_free: Count.describe('seats_total - seats_sold - seats_held'),
  seats_checked_in: Count.describe('Tickets admitted at the door (POST /checkin and /checkin/batch), against seats_sold'),
  occupancy_percent: z.number().min(0).max(100).describe('seats_sold / seats_total * 100, a number rounded to two decimals (33.33); 0 without seats'),
  gross_revenue: Money.describe('Sum of price_at_booking of the seats of confirmed and completed reservations'),
  refunds: Money.describe('Sum of refund_amount of cancelled reservations'),
  reservations: z.object(Object.fromEntries(RESERVATION_STATUSES.map((status) => [status, Count])) as Record<ReservationStatus, typeof Count>),
});
export type ShowtimeReportView = z.infer<typeof ShowtimeReportView>;
