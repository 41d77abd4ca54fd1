import { z } from 'zod';
import { BodyIntId, IntId } from '../../http/ids';
import { PaginationQuery } from '../../http/pagination';

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
  payment_method: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100),
});

export const CancelReservationBody = z
  .object({ reason: z.string().trim().max(500).optional() })
  .optional()
  .transform((b) => b ?? {});

export const ReservationStatusValue = z.enum(['held', 'pending_payment', 'confirmed', 'cancelled', 'expired', 'completed']);

export const ListReservationsQuery = PaginationQuery.extend({
  status: ReservationStatusValue.optional(),
  showtime_id: IntId.optional(),
  user_id: IntId.optional(),
});

/** Printable ASCII, as Stripe and the IETF draft allow. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters');
