import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/common';
import { Reservation, ReservationSeat } from '../src/db/models';
import { isPgError, PG_UNIQUE_VIOLATION } from '../src/db/pgErrors';
import { lockReservation } from '../src/reservations/reservationLock';
import { FailureType } from '../workflows/failures';
import { SOLD_STATUSES } from '../workflows/statuses';

export interface RetakeSeatsInput {
  reservationId: string;
  /** The late payment that succeeded: the booking's payment once retaken. */
  paymentId: string;
  /** What goes back when the seats cannot be retaken. */
  amount: string;
  /** False when the rules already said no (the show has started): only the refund is recorded. */
  retake: boolean;
}

export type RetakeOutcome = { outcome: 'confirmed'; confirmed_at: string } | { outcome: 'refund' };

/** The partial unique index that keeps a seat in one active reservation: it decides who has a seat. */
const ONE_ACTIVE_PER_SEAT = 'reservation_seats_one_active_per_seat';

/**
 * Retakes an expired reservation's seats and confirms it, in a savepoint: all seats or none. A
 * seat someone else holds or booked since fails the savepoint on the same unique index that
 * arbitrates every hold; a seat out of service or a deleted showtime is not retaken either.
 * Returns when it was confirmed, or null when it could not be.
 */
async function retake(trx: Knex.Transaction, input: RetakeSeatsInput): Promise<string | null> {
  try {
    // Inside `trx`, a savepoint: a unique violation undoes the retake, not the refund decision.
    return await Reservation.transaction(trx, async (sp) => {
      const unusable = await ReservationSeat.query(sp)
        .joinRelated('[seat, showtime]')
        .where('reservation_seats.reservation_id', input.reservationId)
        .where((b) => {
          b.where('seat.is_active', false).orWhere('seat.is_deleted', true).orWhere('showtime.is_deleted', true);
        })
        .select('reservation_seats.id')
        .first();
      if (unusable) return null;
      await ReservationSeat.query(sp).where({ reservation_id: input.reservationId, is_active: false }).patch({ is_active: true });
      const confirmed = await Reservation.query(sp)
        .findById(input.reservationId)
        .patch({ status: 'confirmed', confirmed_at: sp.fn.now(), expired_at: null, payment_id: input.paymentId, payment_error: null })
        .returning('confirmed_at')
        .first();
      return confirmed ? new Date(confirmed.confirmed_at as Date).toISOString() : null;
    });
  } catch (err) {
    if (isPgError(err, PG_UNIQUE_VIOLATION, ONE_ACTIVE_PER_SEAT)) return null;
    throw err;
  }
}

/** A payment that succeeded after its hold expired: the booking back if the seats are free, else a refund. */
export function createLatePaymentActivities(knex: Knex) {
  return {
    /**
     * Decides a late success in one transaction: the same seats retaken and the reservation
     * confirmed, or (a seat taken, the show started) the refund recorded on the expired row
     * (`refund_amount`); the workflow then gives the money back. Idempotent: a retry finds the
     * decision the first attempt committed.
     */
    async retakeSeats(input: RetakeSeatsInput): Promise<RetakeOutcome> {
      return Reservation.transaction(knex, async (trx) => {
        // One decision per reservation, even if an attempt that timed out is still running.
        await lockReservation(trx, input.reservationId);
        const row = await Reservation.query(trx).findById(input.reservationId).select('status', 'confirmed_at', 'refund_amount');
        if (!row) throw ApplicationFailure.nonRetryable(`Reservation ${input.reservationId} not found`, FailureType.NotFound);
        if ((SOLD_STATUSES as readonly string[]).includes(row.status) && row.confirmed_at) {
          return { outcome: 'confirmed', confirmed_at: new Date(row.confirmed_at).toISOString() };
        }
        if (row.status !== 'expired') {
          throw ApplicationFailure.nonRetryable(`Reservation ${input.reservationId} is ${row.status}, not expired`, FailureType.InvalidState);
        }
        if (row.refund_amount === null && input.retake) {
          const confirmedAt = await retake(trx, input);
          if (confirmedAt) return { outcome: 'confirmed', confirmed_at: confirmedAt };
        }
        if (row.refund_amount === null) await Reservation.query(trx).findById(input.reservationId).patch({ refund_amount: input.amount });
        return { outcome: 'refund' };
      });
    },
  };
}
