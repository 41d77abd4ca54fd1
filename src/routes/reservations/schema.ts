import { z } from 'zod';
import { BodyIntId, IntId } from '../../http/ids';
import { PaginationQuery } from '../../http/pagination';
import { isStorableText, STORABLE_TEXT_MESSAGE } from '../../http/validate';
import { RESERVATION_STATUSES } from '../../../workflows/statuses';

export const MAX_SEATS_PER_RESERVATION = 10;

export const CreateReservationBody = z.object({
  showtime_id: BodyIntId,
  seat_ids: z
    .array(BodyIntId, { error: 'must be a list of seat ids' })
    .min(1, 'pick at least one seat')
    .max(MAX_SEATS_PER_RESERVATION, `at most ${MAX_SEATS_PER_RESERVATION} seats per reservation`)
    .refine((ids) => new Set(ids).size === ids.length, 'seat ids must be distinct'),
});

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
