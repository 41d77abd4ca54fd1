import { z } from 'zod';
import { SEAT_HISTORY_EVENTS, SEAT_RELEASE_REASONS } from '../../../db/models';
import { IntId } from '../../../http/ids';

export const SeatHistoryParams = z.object({ id: IntId, seat_id: IntId });

const Timestamp = z.iso.datetime({ offset: true });

/** One entry of GET /showtimes/:id/seats/:seat_id/history. */
export const SeatHistoryItemView = z.object({
  id: z.number().int().describe('Increases in the order the entries were written; the list is in this order'),
  event: z
    .enum(SEAT_HISTORY_EVENTS)
    .describe('`held`: a hold took the seat; `booked`: its reservation was confirmed; `released`: the seat was given back; `checked_in`: its ticket was admitted'),
  at: Timestamp.describe('When it happened; for a check-in, the scan time (an offline scan is uploaded later)'),
  reservation_id: z.uuid(),
  user_id: z.number().int().describe("The reservation's user"),
  actor_id: z.number().int().nullable().describe('Who acted for the reservation, where known: the staff member who scanned the ticket; else null'),
  reason: z.enum(SEAT_RELEASE_REASONS).nullable().describe('Releases: the reservation was cancelled or its hold expired; else null'),
  cancel_reason: z.string().nullable().describe("Releases of a cancelled reservation: its cancel_reason (e.g. `cancelled by user`); else null"),
});
export type SeatHistoryItemView = z.infer<typeof SeatHistoryItemView>;
