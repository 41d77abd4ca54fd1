import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/common';
import { Reservation } from '../src/db/models';
import type { TicketKeys } from '../src/tickets/keys';
import { issueTicketsIn } from '../src/tickets/issue';
import { FailureType } from '../workflows/failures';
import { OPEN_STATUSES } from '../workflows/statuses';

/** A booking as its confirm left it: what the API answers with, and the tickets it holds. */
export interface BookingConfirmed {
  /** When it was confirmed (the first time, on a retry). */
  confirmedAt: string;
  /** The row's `updated_at` after this confirm and its hold expiry, so the API can answer without reading it again. */
  updatedAt: string;
  expiresAt: string;
  ticketIds: string[];
}

/**
 * Turns the hold into a booking: status, payment and confirmed_at. Idempotent: a booking
 * confirmed before keeps its first confirmed_at. A reservation no longer open fails for good.
 */
export async function confirmReservationRow(
  db: Knex,
  reservationId: string,
  paymentId: string,
): Promise<{ confirmedAt: string; updatedAt: string; expiresAt: string }> {
  const [row] = await Reservation.query(db)
    .where({ id: reservationId })
    .modify('inStatuses', OPEN_STATUSES)
    .patch({
      status: 'confirmed',
      confirmed_at: db.raw('coalesce(confirmed_at, now())'),
      payment_id: paymentId,
      payment_error: null,
      updated_at: db.fn.now(),
    })
    .returning(['confirmed_at', 'updated_at', 'hold_expires_at']);
  if (!row) {
    throw ApplicationFailure.nonRetryable(`Reservation ${reservationId} can no longer be confirmed`, FailureType.InvalidState);
  }
  // Set by the coalesce(..., now()) above: never null here.
  return { confirmedAt: (row.confirmed_at as Date).toISOString(), updatedAt: row.updated_at.toISOString(), expiresAt: row.hold_expires_at.toISOString() };
}

/** The confirm's database step: one transaction, one local activity. */
export function createBookingActivities(knex: Knex, keys: TicketKeys) {
  return {
    /**
     * Confirms the booking and issues its tickets in one transaction: a booking is never
     * confirmed without its tickets, even for a moment, and the workflow pays one Postgres step
     * instead of two. Idempotent (a retry keeps the first confirmed_at and the tickets made
     * before), so Temporal may run it again after a crash.
     */
    async confirmBooking(reservationId: string, paymentId: string): Promise<BookingConfirmed> {
      return Reservation.transaction(knex, async (trx) => {
        const confirmed = await confirmReservationRow(trx, reservationId, paymentId);
        const ticketIds = await issueTicketsIn(trx, keys.privateKey, reservationId);
        return { ...confirmed, ticketIds };
      });
    },
  };
}
