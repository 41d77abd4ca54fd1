import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/common';
import { Reservation, ReservationSeat, type Showtime } from '../src/db/models';
import { lockReservation } from '../src/reservations/reservationLock';
import { FailureType } from '../workflows/failures';
import { confirmReservationRow } from './booking';
import { HOLD_STATUSES, type ReservationStatus } from '../workflows/statuses';

export interface ReservationSnapshot {
  reservation_id: string;
  status: ReservationStatus;
  user_id: number;
  showtime_id: number;
  total_price: string;
  hold_expires_at: string;
  show_starts_at: string;
  /** Absent from snapshots recorded before completion moved to the show's end. */
  show_ends_at?: string;
  payment_id: string | null;
}

export interface ReleaseSeatsInput {
  reservationId: string;
  outcome: 'expired' | 'cancelled';
  reason?: string;
  refundAmount?: string;
}

/** Every activity is idempotent: Temporal may run it more than once. */
export function createReservationActivities(knex: Knex) {
  return {
    /**
     * Reads the reservation the workflow was started for. The API starts the workflow inside
     * the transaction that inserts the reservation and holds an advisory lock on its id until
     * that transaction ends; taking the same lock here waits for the commit or rollback, so
     * "not found" is final rather than "not committed yet".
     */
    async findReservation(reservationId: string): Promise<ReservationSnapshot | null> {
      return Reservation.transaction(knex, async (trx) => {
        // A session setting, not a query: how long to wait for the hold's commit.
        await trx.raw(`SET LOCAL lock_timeout = '30s'`);
        await lockReservation(trx, reservationId);
        const row = await Reservation.query(trx)
          .joinRelated('showtime')
          .findById(reservationId)
          .select('reservations.status', 'reservations.user_id', 'reservations.showtime_id', 'reservations.total_price', 'reservations.hold_expires_at', 'reservations.payment_id', 'showtime.starts_at', 'showtime.ends_at')
          .castTo<(Pick<Reservation, 'status' | 'user_id' | 'showtime_id' | 'total_price' | 'hold_expires_at' | 'payment_id'> & Pick<Showtime, 'starts_at' | 'ends_at'>) | undefined>();
        if (!row) return null;
        return {
          reservation_id: reservationId,
          status: row.status,
          user_id: row.user_id,
          showtime_id: row.showtime_id,
          total_price: row.total_price,
          hold_expires_at: new Date(row.hold_expires_at).toISOString(),
          show_starts_at: new Date(row.starts_at).toISOString(),
          show_ends_at: new Date(row.ends_at).toISOString(),
          payment_id: row.payment_id,
        };
      });
    },

    async markPaymentPending(reservationId: string, paymentId: string): Promise<void> {
      await Reservation.query(knex)
        .findById(reservationId)
        .modify('inStatuses', HOLD_STATUSES)
        .patch({ status: 'pending_payment', payment_id: paymentId, payment_error: null, updated_at: knex.fn.now() });
    },

    /** Back to `held` after a declined or failed payment; the hold's expiry is unchanged. */
    async markHeldAgain(reservationId: string, paymentError: string): Promise<void> {
      await Reservation.query(knex)
        .findById(reservationId)
        .modify('inStatuses', HOLD_STATUSES)
        .patch({ status: 'held', payment_error: paymentError.slice(0, 500), updated_at: knex.fn.now() });
    },

    /** Turns the hold into a booking. Returns when it was confirmed (the first time, on a retry). */
    async confirmSeats(reservationId: string, paymentId: string): Promise<string> {
      return (await confirmReservationRow(knex, reservationId, paymentId)).confirmedAt;
    },

    /** Gives the seats back and records the final status, in one transaction. Returns when. */
    async releaseSeats(input: ReleaseSeatsInput): Promise<string> {
      return Reservation.transaction(knex, async (trx) => {
        await ReservationSeat.query(trx)
          .where({ reservation_id: input.reservationId })
          .modify('active')
          .patch({ is_active: false, updated_at: trx.fn.now() });
        const stampColumn = input.outcome === 'expired' ? 'expired_at' : 'cancelled_at';
        const [row] = await Reservation.query(trx)
          .where({ id: input.reservationId })
          .patch({
            status: input.outcome,
            [stampColumn]: trx.raw(`coalesce(${stampColumn}, now())`),
            cancel_reason: input.reason ?? null,
            refund_amount: input.refundAmount ?? (input.outcome === 'cancelled' ? '0.00' : null),
            updated_at: trx.fn.now(),
          })
          .returning(stampColumn);
        if (!row) throw ApplicationFailure.nonRetryable(`Reservation ${input.reservationId} not found`, FailureType.NotFound);
        // Set by the coalesce(..., now()) above: never null here.
        return (row[stampColumn] as Date).toISOString();
      });
    },

    async completeReservation(reservationId: string): Promise<void> {
      await Reservation.query(knex)
        .where({ id: reservationId, status: 'confirmed' })
        .patch({ status: 'completed', completed_at: knex.raw('coalesce(completed_at, now())'), updated_at: knex.fn.now() });
    },
  };
}
