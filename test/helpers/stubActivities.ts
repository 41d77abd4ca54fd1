import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import type { ReservationSnapshot } from '../../activities/reservations';
import { FailureType } from '../../workflows/failures';
import type { PaymentVerdict } from '../../workflows/shared';

/** What the stub provider answers to each charge of a reservation, in order (then `succeeded`). */
export type ChargeAnswer = 'succeeded' | 'pending' | 'declined';

export interface StubReservationOptions {
  /** From now until the hold expires. */
  holdMs: number;
  /** From now until the show starts. */
  showInMs: number;
  totalPrice?: string;
  charges?: ChargeAnswer[];
  /** How long releasing the seats takes, to catch the workflow in the middle of a cancel. */
  releaseMs?: number;
  /** From now until the show ends (unset: two hours after it starts). */
  showEndsInMs?: number;
  /** Whether a late payment finds the seats still free (default true). */
  seatsFreeLate?: boolean;
  /** What the provider says when asked about a payment before an expiry (default `pending`). */
  providerSays?: PaymentVerdict;
  /** How long reading the row takes (the lock wait), so messages can arrive while it runs. */
  findMs?: number;
}

/**
 * The activities the reservation workflow and the refund workflow call, each typed as the real
 * factory's; others the worker has (maintenance, ping) are not the workflows' under test.
 */
export type WorkflowActivities = Pick<
  Activities,
  'findReservation' | 'markPaymentPending' | 'markHeldAgain' | 'confirmSeats' | 'releaseSeats' | 'completeReservation' | 'chargePayment' | 'recordPaymentOutcome' | 'refundPayment'
  | 'issueTickets'
  | 'confirmBooking'
  | 'revokeTickets'
  | 'extendHold'
  | 'retakeSeats'
  | 'askPaymentStatus'
>;

export interface ActivityCall {
  name: keyof WorkflowActivities;
  args: unknown[];
}

/**
 * The workflows' activities without Postgres or a payment provider, with the real factory's
 * signatures, so a stub cannot drift from what the worker runs. Each call is
 * recorded under its reservation for the test to read.
 */
export class StubActivities {
  private readonly reservations = new Map<
    string,
    { snapshot: ReservationSnapshot; charges: ChargeAnswer[]; releaseMs: number; seatsFreeLate: boolean; providerSays: PaymentVerdict }
  >();
  /** Kept apart from the rows: a removed row still takes its time to be found missing. */
  private readonly findMs = new Map<string, number>();
  private readonly callsByReservation = new Map<string, ActivityCall[]>();
  private readonly reservationOfPayment = new Map<string, string>();
  private paymentCount = 0;

  /** A held reservation the workflow will find; its snapshot, for the workflow's input. */
  add(reservationId: string, opts: StubReservationOptions): ReservationSnapshot {
    const now = Date.now();
    this.reservations.set(reservationId, {
      snapshot: {
        reservation_id: reservationId,
        status: 'held',
        user_id: 1,
        showtime_id: 1,
        total_price: opts.totalPrice ?? '21.00',
        hold_expires_at: new Date(now + opts.holdMs).toISOString(),
        show_starts_at: new Date(now + opts.showInMs).toISOString(),
        show_ends_at: new Date(now + (opts.showEndsInMs ?? opts.showInMs + 2 * 60 * 60_000)).toISOString(),
        payment_id: null,
      },
      charges: [...(opts.charges ?? [])],
      releaseMs: opts.releaseMs ?? 0,
      seatsFreeLate: opts.seatsFreeLate ?? true,
      providerSays: opts.providerSays ?? 'pending',
    });
    if (opts.findMs) this.findMs.set(reservationId, opts.findMs);
    return (this.reservations.get(reservationId) as { snapshot: ReservationSnapshot }).snapshot;
  }

  /** The row is gone, as when the API's transaction rolled back: the workflow finds nothing. */
  remove(reservationId: string): void {
    this.reservations.delete(reservationId);
  }

  calls(reservationId: string): ActivityCall[] {
    return this.callsByReservation.get(reservationId) ?? [];
  }

  names(reservationId: string): string[] {
    return this.calls(reservationId).map((c) => c.name);
  }

  private record(reservationId: string, name: keyof WorkflowActivities, args: unknown[]): void {
    const list = this.callsByReservation.get(reservationId) ?? [];
    list.push({ name, args });
    this.callsByReservation.set(reservationId, list);
  }

  readonly activities: WorkflowActivities = {
    findReservation: async (reservationId) => {
      this.record(reservationId, 'findReservation', [reservationId]);
      const findMs = this.findMs.get(reservationId);
      if (findMs) await new Promise((resolve) => setTimeout(resolve, findMs));
      return this.reservations.get(reservationId)?.snapshot ?? null;
    },
    markPaymentPending: async (reservationId, paymentId) => this.record(reservationId, 'markPaymentPending', [reservationId, paymentId]),
    markHeldAgain: async (reservationId, error) => this.record(reservationId, 'markHeldAgain', [reservationId, error]),
    confirmSeats: async (reservationId, paymentId) => {
      this.record(reservationId, 'confirmSeats', [reservationId, paymentId]);
      return new Date().toISOString();
    },
    releaseSeats: async (input) => {
      this.record(input.reservationId, 'releaseSeats', [input]);
      const reservation = this.reservations.get(input.reservationId);
      if (reservation?.releaseMs) await new Promise((resolve) => setTimeout(resolve, reservation.releaseMs));
      if (!reservation) {
        throw ApplicationFailure.nonRetryable(`Reservation ${input.reservationId} not found`, FailureType.NotFound);
      }
      return new Date().toISOString();
    },
    completeReservation: async (reservationId) => this.record(reservationId, 'completeReservation', [reservationId]),
    chargePayment: async (input) => {
      this.record(input.reservationId, 'chargePayment', [input]);
      const answer = this.reservations.get(input.reservationId)?.charges.shift() ?? 'succeeded';
      const paymentId = `pay_stub_${++this.paymentCount}`;
      this.reservationOfPayment.set(paymentId, input.reservationId);
      if (answer === 'declined') {
        throw ApplicationFailure.create({ message: 'Your card was declined.', type: FailureType.PaymentDeclined, nonRetryable: true });
      }
      return { status: answer, paymentId };
    },
    recordPaymentOutcome: async (paymentId, status, failureReason) =>
      this.record(this.reservationOfPayment.get(paymentId) ?? 'unknown', 'recordPaymentOutcome', [paymentId, status, failureReason]),
    refundPayment: async (input) => {
      this.record(input.reservationId, 'refundPayment', [input]);
      return `re_stub_${input.paymentId}`;
    },
    // One stub ticket per reservation: ids derived from it, so a retry returns the same ones.
    issueTickets: async (reservationId) => {
      this.record(reservationId, 'issueTickets', [reservationId]);
      return [`ticket-${reservationId}`];
    },
    confirmBooking: async (reservationId, paymentId) => {
      this.record(reservationId, 'confirmBooking', [reservationId, paymentId]);
      const now = new Date().toISOString();
      return { confirmedAt: now, updatedAt: now, expiresAt: now, ticketIds: [`ticket-${reservationId}`] };
    },
    revokeTickets: async (reservationId) => {
      this.record(reservationId, 'revokeTickets', [reservationId]);
      return [`ticket-${reservationId}`];
    },
    extendHold: async (reservationId, expiresAt) => this.record(reservationId, 'extendHold', [reservationId, expiresAt]),
    retakeSeats: async (input) => {
      this.record(input.reservationId, 'retakeSeats', [input]);
      return input.retake && this.reservations.get(input.reservationId)?.seatsFreeLate !== false
        ? { outcome: 'confirmed', confirmed_at: new Date().toISOString() }
        : { outcome: 'refund' };
    },
    askPaymentStatus: async (paymentId) => {
      const reservationId = this.reservationOfPayment.get(paymentId) ?? 'unknown';
      this.record(reservationId, 'askPaymentStatus', [paymentId]);
      const status = this.reservations.get(reservationId)?.providerSays ?? 'pending';
      return { status, failureReason: status === 'failed' ? 'Your card has insufficient funds.' : null };
    },
  };
}
