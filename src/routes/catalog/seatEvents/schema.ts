import { z } from 'zod';

/** A version of the showtime's seats, as the stream's event ids carry it. */
export const EventVersion = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer: the id of the last event received')
  .transform(Number);

export const SeatEventsQuery = z.object({
  /** For clients that cannot send the Last-Event-ID header on their first connection. */
  last_event_id: EventVersion.optional(),
});

export const SeatEventsHeaders = z.object({ 'last-event-id': EventVersion.optional() });
