import { z } from 'zod';
import { BodyIntId, IntId } from '../../http/ids';
import { PaginationQuery } from '../../http/pagination';
import { isStorableText, STORABLE_TEXT_MESSAGE } from '../../http/validate';
import { RESERVATION_STATUSES } from '../../../workflows/statuses';
import type { HoldRequest } from '../../reservations/holdRequest';
import { SeatTypeValue } from '../catalog/auditoriums/schema';

export const MAX_SEATS_PER_RESERVATION = 10;

const QUANTITY_MESSAGE = `must be an integer from 1 to ${MAX_SEATS_PER_RESERVATION}`;

/**
 * Two forms in one object rather than a zod union, so each mistake is named by its field:
 * `seat_ids` (these seats) or `quantity` with optional `seat_type` and `together` (the best
 * available seats, chosen by the server inside the hold).
 */
export const CreateReservationBody = z
  .object({
    showtime_id: BodyIntId,
    seat_ids: z
      .array(BodyIntId, { error: 'must be a list of seat ids' })
      .min(1, 'pick at least one seat')
      .max(MAX_SEATS_PER_RESERVATION, `at most ${MAX_SEATS_PER_RESERVATION} seats per reservation`)
      .refine((ids) => new Set(ids).size === ids.length, 'seat ids must be distinct')
      .optional()
      .meta({ description: 'These exact seats. Give either `seat_ids` or `quantity`.' }),
    quantity: z
      .number({ error: QUANTITY_MESSAGE })
      .int(QUANTITY_MESSAGE)
      .min(1, QUANTITY_MESSAGE)
      .max(MAX_SEATS_PER_RESERVATION, QUANTITY_MESSAGE)
      .optional()
      .meta({ description: 'Best available: this many seats, chosen by the server. Give either `seat_ids` or `quantity`.' }),
    seat_type: SeatTypeValue.optional().meta({
      description: 'With `quantity`: only seats of this type. Unset: any type but wheelchair spaces, which are offered only when asked for.',
    }),
    together: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .meta({ description: 'With `quantity` (default true): false accepts scattered seats when no block of adjacent seats is left.' }),
  })
  .superRefine((b, ctx) => {
    if (b.seat_ids !== undefined && b.quantity !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'give either seat_ids or quantity, not both' });
    } else if (b.seat_ids === undefined && b.quantity === undefined) {
      ctx.addIssue({ code: 'custom', path: ['seat_ids'], message: 'give seat_ids, or quantity for the best available seats' });
    } else if (b.seat_ids !== undefined) {
      for (const field of ['seat_type', 'together'] as const) {
        if (b[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'goes with quantity, not with seat_ids' });
      }
    }
  })
  .transform((b): HoldRequest =>
    b.seat_ids !== undefined
      ? { showtime_id: b.showtime_id, seat_ids: b.seat_ids }
      : { showtime_id: b.showtime_id, quantity: b.quantity as number, together: b.together ?? true, ...(b.seat_type ? { seat_type: b.seat_type } : {}) },
  );

export const ConfirmReservationBody = z.object({
  payment_method: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100).refine(isStorableText, STORABLE_TEXT_MESSAGE),
});

export const CancelReservationBody = z
  // Refused here: a NUL would fail the release activity on every retry, leaving the workflow stuck.
  .object({ reason: z.string().trim().max(500).refine(isStorableText, STORABLE_TEXT_MESSAGE).optional() })
  .optional()
  .transform((b) => b ?? {});

export const ReservationStatusValue = z.enum(RESERVATION_STATUSES);

export const ListReservationsQuery = PaginationQuery.extend({
  status: ReservationStatusValue.optional(),
  showtime_id: IntId.optional(),
  user_id: IntId.optional(),
});

/** Printable ASCII, as Stripe and the IETF draft allow. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters');

/** Response shapes, for the OpenAPI document (src/reservations/serialize.ts builds them). */
const Money = z.string().regex(/^-?\d+\.\d{2}$/);
const Timestamp = z.iso.datetime({ offset: true });

export const ReservationResponse = z.object({
  id: z.uuid(),
  user_id: z.number().int(),
  showtime_id: z.number().int(),
  status: ReservationStatusValue,
  /** When the hold is released unless confirmed. */
  expires_at: Timestamp,
  total_price: Money,
  seats: z.array(z.object({ seat_id: z.number().int(), label: z.string(), price: Money })),
  workflow_id: z.string(),
  payment_id: z.string().nullable(),
  payment_error: z.string().nullable(),
  confirmed_at: Timestamp.nullable(),
  cancelled_at: Timestamp.nullable(),
  expired_at: Timestamp.nullable(),
  completed_at: Timestamp.nullable(),
  cancel_reason: z.string().nullable(),
  refund_amount: Money.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
