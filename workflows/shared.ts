/**
 * The reservation workflow's contract, shared by the workflow, the worker and the API:
 * ids, messages, search attributes and the types they carry. Callers import from here,
 * never by string.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'bookings';

import type { ReservationStatus } from './statuses';

export { RESERVATION_STATUSES, type ReservationStatus } from './statuses';

/** What the workflow reports: the stored statuses plus its own transient and terminal ones. */
export type WorkflowPhase = ReservationStatus | 'checking' | 'charging' | 'cancelling' | 'abandoned';

export const reservationWorkflowId = (reservationId: string): string => `reservation-${reservationId}`;

export interface ReservationWorkflowInput {
  reservationId: string;
  /** Minutes before the show after which a confirmed booking can no longer be cancelled. */
  cancellationCutoffMinutes: number;
  /**
   * How long an expired or cancelled reservation still waits for a pending payment's verdict, to
   * refund it; 24 hours when absent (as in workflows started before it was an input).
   */
  latePaymentWindowMs?: number;
  /**
   * The hold as the API inserted it, in the transaction that started this workflow: with these the
   * workflow is `held` at once and reads the row only when it is first needed (patch
   * `hold-facts-from-input`). Absent in workflows started before it was an input; those read the
   * row first.
   */
  hold?: HoldFacts;
}

/** What the workflow needs from the reservation's row, as the API wrote it (ISO 8601 times, price as "12.50"). */
export interface HoldFacts {
  expiresAt: string;
  showStartsAt: string;
  showEndsAt: string;
  totalPrice: string;
}

/**
 * The caller's evidence that the reservation's row is committed: the API reads the row (and its
 * showtime) before it sends a confirm, cancel or extend, and a row another connection reads is
 * one whose hold transaction committed. With it the workflow need not ask again under the hold's
 * lock (`findReservation`, patch `hold-facts-from-input`): it takes the row as read, and the
 * showtime's times as the catalog's word, as that check would. Taken only for a row seen `held`;
 * absent (operators in the Web UI or CLI, the API before this field existed), or seen in another
 * status, the workflow asks as before. Workers from before it ignore the field.
 */
export interface RowSeen {
  /** The row's status as the caller read it. */
  status: ReservationStatus;
  /** The showtime's start and end as the same read found them (ISO 8601). */
  show_starts_at: string;
  show_ends_at: string;
}

export interface ConfirmInput {
  payment_method: string;
  /** Set by the API from its read of the row just before (see RowSeen). */
  row_seen?: RowSeen;
}

export type ConfirmResult =
  | {
      status: 'confirmed';
      payment_id: string;
      confirmed_at: string;
      /**
       * The row as the confirm left it (its `updated_at` and `hold_expires_at`), so the API
       * answers without reading it again. Absent from confirms on the
       * two-step path (workflows from before the confirm-and-issue-tickets-together patch).
       */
      updated_at?: string;
      expires_at?: string;
    }
  | { status: 'pending_payment'; payment_id: string };

export interface CancelInput {
  reason?: string;
  /** Who asked: 'user', 'admin', 'operator' (the Web UI or CLI). */
  requested_by?: string;
  /** Set by the API from its read of the row just before (see RowSeen); the cancel signal never carries it. */
  row_seen?: RowSeen;
}

export interface CancelResult {
  status: 'cancelled';
  refund_amount: string;
  cancelled_at: string;
}

/**
 * A hold extension, with the API's policy: the workflow counts the extensions and keeps the
 * durable timer, the API's config says how long each one is and how many a hold may take.
 */
export interface ExtendInput {
  /** How much later the hold ends, from its current expiry (HOLD_TTL_SECONDS). */
  extend_by_seconds: number;
  /** Extensions a hold may take in all (HOLD_MAX_EXTENSIONS). */
  max_extensions: number;
  /** Set by the API from its read of the row just before (see RowSeen). */
  row_seen?: RowSeen;
}

export interface ExtendResult {
  status: 'held';
  expires_at: string;
  /** Extensions this hold has taken, this one included. */
  extensions_used: number;
  max_extensions: number;
}

/** What the provider says of a payment when asked (before a pending hold expires). */
export type PaymentVerdict = 'succeeded' | 'failed' | 'pending';

/** A payment provider's asynchronous outcome, delivered by the webhook endpoint. */
export interface PaymentEvent {
  event_id: string;
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed';
  payment_id: string;
  amount?: string;
  failure_reason?: string;
}

/** Why the API refused a payment event: it does not match a payment we made for that reservation. */
export type PaymentRejectionReason = 'unknown_payment' | 'reservation_mismatch' | 'amount_mismatch' | 'currency_mismatch';

/** A refused event, told to the reservation it named so operators see it in the `state` query. */
export interface RejectedPaymentEvent {
  event_id: string;
  payment_id: string;
  reason: PaymentRejectionReason;
}

export interface ReservationState {
  reservation_id: string;
  status: WorkflowPhase;
  hold_expires_at: string | null;
  show_starts_at: string | null;
  /** Hold extensions taken so far. */
  hold_extensions: number;
  total_price: string | null;
  payment_id: string | null;
  payment_attempts: number;
  last_payment_error: string | null;
  refund_amount: string | null;
  cancel_reason: string | null;
  /** Why the last cancel signal was refused (signals cannot answer); null when none was. */
  last_refused_cancel: string | null;
  /** Payment events naming this reservation that the API refused (the latest few); they changed nothing. */
  rejected_payment_events: RejectedPaymentEvent[];
  /** Ids of the booking's tickets, issued at confirm; empty for workflows confirmed before tickets existed. */
  tickets_issued: string[];
  /** Ids of those revoked by a cancel or refund. */
  tickets_revoked: string[];
}

export type ReservationOutcome = 'abandoned' | 'expired' | 'cancelled' | 'completed';

export const confirmUpdate = defineUpdate<ConfirmResult, [ConfirmInput]>('confirm');
export const cancelUpdate = defineUpdate<CancelResult, [CancelInput]>('cancel');
/** Moves a live hold's expiry (and its durable timer) later, within the cap. */
export const extendUpdate = defineUpdate<ExtendResult, [ExtendInput]>('extend');
/** The same cancel as a plain signal, for operators in the Web UI or `temporal workflow signal`. */
export const cancelSignal = defineSignal<[CancelInput]>('cancel');
export const paymentSignal = defineSignal<[PaymentEvent]>('payment');
export const paymentRejectedSignal = defineSignal<[RejectedPaymentEvent]>('paymentRejected');
export const stateQuery = defineQuery<ReservationState>('state');

/** Failure types live in ./failures; re-exported so existing callers keep one import. */
export { FailureType } from './failures';

export const searchAttributes = {
  ReservationStatus: defineSearchAttributeKey('ReservationStatus', SearchAttributeType.KEYWORD),
  ShowtimeId: defineSearchAttributeKey('ShowtimeId', SearchAttributeType.INT),
  UserId: defineSearchAttributeKey('UserId', SearchAttributeType.INT),
  HoldExpiresAt: defineSearchAttributeKey('HoldExpiresAt', SearchAttributeType.DATETIME),
};

