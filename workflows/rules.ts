/**
 * The reservation workflow's decisions as pure functions of its state and the clock: no
 * Temporal, no I/O, so test/workflowRules.test.ts checks them directly. The workflow
 * (./reservation.ts) owns the state, issues the commands and raises what these refuse.
 */
import { FailureType } from './failures';
import type { HoldFacts, PaymentEvent, RowSeen, WorkflowPhase } from './shared';

/** Why a request is refused: the failure type the workflow raises, and its message. */
export interface Refusal {
  type: FailureType;
  message: string;
}

/** What the rules read: the workflow's state at the moment of asking. */
export interface ReservationFacts {
  phase: WorkflowPhase;
  /** Milliseconds since the epoch; 0 until the reservation was read. */
  holdDeadline: number;
  showStart: number;
  now: number;
}

/** How long an expired or cancelled reservation still waits for a pending payment's verdict, to refund it. */
export const DEFAULT_LATE_PAYMENT_WINDOW_MS = 24 * 60 * 60 * 1000;

export const isFinished = (phase: WorkflowPhase): boolean =>
  phase === 'abandoned' || phase === 'expired' || phase === 'cancelled' || phase === 'completed';

/** The hold's loop ends once the booking is paid for or given up. */
export const isSettled = (phase: WorkflowPhase): boolean => phase === 'confirmed' || phase === 'cancelled';

/**
 * Why a confirm is refused now, or null when it may go ahead. `refuseAfterShowStart` is the
 * patched guard: workflows started before it replay without it.
 */
export function confirmRefusal(facts: ReservationFacts, refuseAfterShowStart: boolean): Refusal | null {
  const { phase, holdDeadline, showStart, now } = facts;
  if (refuseAfterShowStart && showStart > 0 && (phase === 'held' || phase === 'expired') && now >= showStart) {
    return { type: FailureType.ShowtimeStarted, message: 'The showtime has started; it can no longer be booked' };
  }
  if (phase === 'expired' || (phase === 'held' && now >= holdDeadline)) {
    return { type: FailureType.HoldExpired, message: 'The hold has expired' };
  }
  if (phase !== 'held') {
    return { type: FailureType.InvalidState, message: `A reservation that is ${phase} cannot be confirmed` };
  }
  return null;
}

/** The last moment a confirmed booking can be cancelled. */
export const cancellationCutoff = (showStart: number, cutoffMinutes: number): number => showStart - cutoffMinutes * 60_000;

/** Why a cancel is refused now, or null: a live hold, or a booking before the cutoff, may be cancelled. */
export function cancelRefusal(facts: ReservationFacts, cutoffMinutes: number): Refusal | null {
  const { phase, holdDeadline, showStart, now } = facts;
  if (phase === 'held' && now < holdDeadline) return null;
  if (phase === 'confirmed') {
    if (now < cancellationCutoff(showStart, cutoffMinutes)) return null;
    return { type: FailureType.CancellationCutoff, message: `Bookings can be cancelled until ${cutoffMinutes} minutes before the show` };
  }
  // A hold past its deadline has expired, whether or not the timer has fired yet.
  const state = phase === 'held' ? 'expired' : phase;
  return { type: FailureType.InvalidState, message: `A reservation that is ${state} cannot be cancelled` };
}

/**
 * What a release gives back: the whole price of a paid booking, nothing for a hold. `phase` is
 * the one the release started from (not `cancelling`).
 */
export const refundDue = (phase: WorkflowPhase, paymentId: string | null, totalPrice: string): string =>
  phase === 'confirmed' && paymentId ? totalPrice : '0.00';

/**
 * The hold loop's next step: expire now, or wait (up to `waitMs`; undefined = until something
 * happens). A charge running past the deadline holds the expiry off until its result.
 */
export function holdStep(facts: ReservationFacts): { expire: true } | { expire: false; waitMs: number | undefined } {
  const remaining = facts.holdDeadline - facts.now;
  if (remaining <= 0 && (facts.phase === 'held' || facts.phase === 'pending_payment')) return { expire: true };
  return { expire: false, waitMs: remaining > 0 ? remaining : undefined };
}

/**
 * When a booking completes: at the show's end (`completeAtEnd`, the patched rule) when the end is
 * known, else at its start, as workflows confirmed before the patch (and histories without an end) do.
 */
export const completionAt = (showStart: number, showEnd: number, completeAtEnd: boolean): number =>
  completeAtEnd && showEnd > showStart ? showEnd : showStart;

/** How long a booking sleeps before it completes at `completeAt` (at least 1 ms, a timer's floor). */
export const untilCompletion = (completeAt: number, now: number): number => Math.max(1, completeAt - now);

/** The API's extension policy, as the extend Update carries it. */
export interface ExtensionPolicy {
  extendByMs: number;
  maxExtensions: number;
}

/**
 * A hold extension: refused, or the hold's new deadline. Each extension adds `extendByMs` to the
 * current expiry (as seats.io extends a hold from when it would end), at most `maxExtensions`
 * times, and never past the show's start; an extension that would gain nothing is refused.
 * A hold whose deadline has passed has expired, whether or not the timer has fired yet: the
 * timer and the extension cannot both win.
 */
export function extensionOutcome(facts: ReservationFacts, used: number, policy: ExtensionPolicy): { refusal: Refusal } | { deadline: number } {
  const { phase, holdDeadline, showStart, now } = facts;
  if (phase === 'expired' || (phase === 'held' && now >= holdDeadline)) {
    return { refusal: { type: FailureType.HoldExpired, message: 'The hold has expired' } };
  }
  if (phase !== 'held') {
    const state = phase === 'charging' ? 'being paid for' : phase;
    return { refusal: { type: FailureType.InvalidState, message: `A reservation that is ${state} cannot be extended; only a hold can` } };
  }
  if (used >= policy.maxExtensions) {
    return { refusal: { type: FailureType.ExtensionLimit, message: `A hold can be extended at most ${policy.maxExtensions} times; this one has been` } };
  }
  const deadline = showStart > 0 ? Math.min(holdDeadline + policy.extendByMs, showStart) : holdDeadline + policy.extendByMs;
  if (deadline <= holdDeadline) {
    return { refusal: { type: FailureType.ExtensionLimit, message: "The hold already lasts until the showtime's start; it cannot be extended further" } };
  }
  return { deadline };
}

/** Whether the extend Update's input is usable: whole, positive seconds and a non-negative cap. */
export const validExtensionInput = (input: { extend_by_seconds?: unknown; max_extensions?: unknown } | undefined): boolean =>
  typeof input?.extend_by_seconds === 'number' &&
  Number.isInteger(input.extend_by_seconds) &&
  input.extend_by_seconds > 0 &&
  typeof input.max_extensions === 'number' &&
  Number.isInteger(input.max_extensions) &&
  input.max_extensions >= 0;

/**
 * A success for the payment that was pending when the hold expired: the seats are retaken (if
 * all of them are still free: the activity decides) while the show has not started; otherwise
 * the money goes back. Only this reservation's own payment is ever retaken for.
 */
export function lateSuccessEffect(facts: Pick<ReservationFacts, 'phase' | 'showStart' | 'now'>, eventPaymentId: string, paymentId: string | null): 'retake' | 'refund' {
  return facts.phase === 'expired' && eventPaymentId === paymentId && facts.now < facts.showStart ? 'retake' : 'refund';
}

/** What a payment event means for the reservation in its current phase. */
export type PaymentEventEffect = 'confirm' | 'back_to_held' | 'refund' | 'ignore';

export function paymentEventEffect(event: Pick<PaymentEvent, 'type' | 'payment_id'>, phase: WorkflowPhase, paymentId: string | null): PaymentEventEffect {
  const succeeded = event.type === 'payment_intent.succeeded';
  if (phase === 'pending_payment' && event.payment_id === paymentId) return succeeded ? 'confirm' : 'back_to_held';
  // Money for a payment that is not this booking's: it goes back.
  if (succeeded && !(phase === 'confirmed' && event.payment_id === paymentId)) return 'refund';
  return 'ignore';
}

/** The window for a late payment's verdict, from the workflow's input (absent in workflows started before it was one). */
export const latePaymentWindowMs = (fromInput: number | undefined): number =>
  typeof fromInput === 'number' && Number.isFinite(fromInput) && fromInput > 0 ? fromInput : DEFAULT_LATE_PAYMENT_WINDOW_MS;

/** The hold's facts as the workflow keeps them: times in milliseconds since the epoch. */
export interface HeldReservation {
  holdDeadline: number;
  showStart: number;
  showEnd: number;
  totalPrice: string;
}

const PRICE = /^\d+\.\d{2}$/;

/**
 * The hold's facts from the workflow's input, or null when they are absent or unusable (a start
 * made by hand, or before they were an input): the workflow then reads them from the row first.
 */
export function heldFromInput(hold: Partial<HoldFacts> | undefined): HeldReservation | null {
  if (!hold || typeof hold !== 'object') return null;
  const time = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN);
  const holdDeadline = time(hold.expiresAt);
  const showStart = time(hold.showStartsAt);
  const showEnd = time(hold.showEndsAt);
  if (![holdDeadline, showStart, showEnd].every(Number.isFinite)) return null;
  if (typeof hold.totalPrice !== 'string' || !PRICE.test(hold.totalPrice)) return null;
  return { holdDeadline, showStart, showEnd, totalPrice: hold.totalPrice };
}

/**
 * The showtime's times from a caller's evidence that it read the row (RowSeen), or null when the
 * evidence does not settle the question the row check asks: absent, malformed, or a row seen in
 * another status than `held` (which the check would answer with `abandoned`; let it).
 */
export function rowSeenShowTimes(seen: Partial<RowSeen> | undefined): { showStart: number; showEnd: number } | null {
  if (!seen || typeof seen !== 'object' || seen.status !== 'held') return null;
  const showStart = typeof seen.show_starts_at === 'string' ? Date.parse(seen.show_starts_at) : Number.NaN;
  const showEnd = typeof seen.show_ends_at === 'string' ? Date.parse(seen.show_ends_at) : Number.NaN;
  if (!Number.isFinite(showStart) || !Number.isFinite(showEnd)) return null;
  return { showStart, showEnd };
}
