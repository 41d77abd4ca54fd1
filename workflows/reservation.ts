import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { refundLatePaymentWorkflow, refundWorkflowId } from './refundLatePayment';
import { currentDetails } from './details';
import { FailureType } from './failures';
import {
  cancelRefusal,
  completionAt,
  confirmRefusal,
  extensionOutcome,
  heldFromInput,
  holdStep,
  isFinished,
  isSettled,
  lateSuccessEffect,
  latePaymentWindowMs,
  paymentEventEffect,
  refundDue,
  rowSeenShowTimes,
  untilCompletion,
  validExtensionInput,
  type Refusal,
  type ReservationFacts,
} from './rules';
import {
  cancelSignal,
  cancelUpdate,
  confirmUpdate,
  extendUpdate,
  paymentRejectedSignal,
  paymentSignal,
  searchAttributes,
  stateQuery,
  type CancelInput,
  type CancelResult,
  type ConfirmResult,
  type ExtendInput,
  type ExtendResult,
  type PaymentEvent,
  type RejectedPaymentEvent,
  type ReservationOutcome,
  type ReservationState,
  type ReservationWorkflowInput,
  type RowSeen,
  type WorkflowPhase,
} from './shared';

/** Database activities: retried until Postgres answers again. */
const db = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * The same Postgres steps as local activities: they run in the worker that holds the workflow,
 * with no activity task round trip through the server and no extra workflow task. The hold path
 * measured 2.5x the floor's worker CPU with them as ordinary activities.
 */
const localDb = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * Workflows started before the Postgres steps became local activities replay their history
 * with ordinary ones; new workflows take the local path (and skip the search-attribute upserts
 * that the API's start already made).
 */
const LOCAL_DB_STEPS = 'db-steps-as-local-activities';
const dbSteps = (): typeof db => (patched(LOCAL_DB_STEPS) ? localDb : db);

/**
 * Money the hold did not expect is refunded by a workflow of its own: a refund the provider keeps
 * failing (or refuses for good) must never stand between a hold and its expiry timer.
 */
const REFUNDS_APART = 'unexpected-money-refunded-by-own-workflow';
/** A hold cannot be confirmed (and charged) once its show has started. */
const SHOWTIME_START_GUARD = 'no-confirm-after-showtime-start';
/** The Web UI's current details (status, expiry or payment) kept up to date at each transition. */
const CURRENT_DETAILS = 'current-details-for-operators';

/**
 * A confirmed booking gets its tickets from the workflow, so a crash between the payment and the
 * tickets cannot leave a paid booking without them. Workflows confirmed before this never issue any.
 */
const ISSUE_TICKETS = 'issue-tickets';

/** A live hold can be extended (the extend Update), moving its durable timer and its row's expiry. */
const EXTEND_HOLD = 'hold-extension';
/**
 * A cancel accepted while an extension writes its row waits for that write: run side by side, the
 * two local activities' results reached the replay in one activation, in another order than the
 * first run's commands (every extend+cancel race history failed to replay).
 */
const CANCEL_AFTER_EXTENSION = 'cancel-after-extension';
/**
 * A success for the payment that was pending when the hold expired retakes the same seats if all
 * are still free, and confirms; before this it was always refunded.
 */
const LATE_PAYMENT_RETAKES_SEATS = 'late-payment-retakes-seats';
/** Before a pending payment's hold expires, the provider is asked for the verdict its webhook may not have delivered. */
const ASK_PROVIDER_BEFORE_EXPIRY = 'ask-provider-before-expiry';
/** A booking completes when its show ends; before this, when it started. */
const COMPLETE_AT_SHOW_END = 'complete-at-show-end';
/** A confirm charges in a local activity (see `chargingLocally`); before this, an ordinary one. */
const CHARGE_LOCALLY = 'charge-as-local-activity';
/**
 * A booking is confirmed and its tickets issued in one transaction (one local activity,
 * `confirmBooking`); before this, `confirmSeats` then `issueTickets`.
 */
const CONFIRM_WITH_TICKETS = 'confirm-and-issue-tickets-together';

/**
 * The hold's facts come in the input (from the API's insert), so the first workflow task runs no
 * activity and costs what a no-op workflow's does. Whether the API committed is asked when the row
 * is first needed: at the first message that acts on the hold, at the deadline, or on a
 * cancellation request. Workflows started without the facts read the row first, as before.
 */
const HOLD_FACTS_FROM_INPUT = 'hold-facts-from-input';
/**
 * A confirm, cancel or extend that carries the API's read of the row (`row_seen`) marks the row as
 * read without the check: a row another connection read is committed. Patched although the choice
 * follows from the Update's input, which the history records: a worker from before this ignored
 * the field and ran the check, and its history must still replay here (the API may send the field
 * before every worker knows it).
 */
const ROW_SEEN_BY_CALLER = 'row-seen-by-caller';

/** How many refused payment events the `state` query keeps. */
const MAX_REJECTED_EVENTS = 10;

/** A charge blocks the customer's confirm request, so it gives up after a few attempts. */
const charging = proxyActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
});

/**
 * The same charge as a local activity (patch charge-as-local-activity): the worker holding the
 * workflow calls the provider in the workflow task that accepted the confirm, with no activity
 * task round trip through the server and no second workflow task. The same timeouts and retries.
 * Safe to run again: a local activity's attempt that dies with its worker (the marker never
 * written) runs again when the workflow task is retried, with the same idempotency key, which the
 * provider answers with the charge it already made (fake and Stripe alike); `paymentAttempts`
 * only moves in a new confirm, so the key does not either.
 */
const chargingLocally = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
});

/**
 * Asking the provider before an expiry: a few quick tries, then the hold expires as it would have
 * (the late-payment window still takes the webhook's verdict).
 */
const asking = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 3 },
});

/** Money owed back must reach the customer however long the provider is down. */
const refunding = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

const failureMessage = (err: unknown): string => {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
};
/**
 * Whether an activity failed with this type, either way it can come: an ordinary activity's
 * failure wraps the activity's ApplicationFailure in an ActivityFailure, a local activity's is
 * that ApplicationFailure.
 */
const activityFailedWith = (err: unknown, type: FailureType): boolean => {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === type;
};
const raise = (refusal: Refusal | null): void => {
  if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
};

/**
 * One reservation, from hold to booking or release. The API has already inserted the hold;
 * this workflow owns it from then on: the expiry timer, confirm with payment, cancel with
 * refund, and completion when the show starts.
 */
export async function reservationWorkflow(input: ReservationWorkflowInput): Promise<ReservationOutcome> {
  const { reservationId } = input;
  let phase = 'checking' as WorkflowPhase;
  let holdDeadline = 0;
  let showStart = 0;
  let showEnd = 0;
  let holdExtensions = 0;
  /** Extensions between their decision and their row's write. */
  let extensionsWriting = 0;
  let totalPrice = '0.00';
  let paymentId: string | null = null;
  let paymentAttempts = 0;
  let lastPaymentError: string | null = null;
  let refundAmount: string | null = null;
  let cancelReason: string | null = null;
  let lastRefusedCancel: string | null = null;
  /** The phase a cancel started from, for the refund when a cancellation request interrupts it. */
  let cancellingFrom: WorkflowPhase = 'checking';
  const paymentEvents: PaymentEvent[] = [];
  const seenEventIds = new Set<string>();
  const rejectedPaymentEvents: RejectedPaymentEvent[] = [];
  let ticketsIssued: string[] = [];
  let ticketsRevoked: string[] = [];
  const refuseAfterShowStart = patched(SHOWTIME_START_GUARD);
  const showDetails = patched(CURRENT_DETAILS);
  const given = heldFromInput(input.hold);
  const factsFromInput = given !== null && patched(HOLD_FACTS_FROM_INPUT);
  if (factsFromInput) {
    // Held from the first moment, as the API answered: the row is read when first needed (checkRow).
    ({ holdDeadline, showStart, showEnd, totalPrice } = given);
    phase = 'held';
  }
  /** Facts from the input and the row not yet read: the API's commit is still unconfirmed. */
  let rowUnread = factsFromInput;
  let rowCheck: Promise<void> | undefined;

  // Every field the details read is set before the phase changes, so refreshing here is enough.
  const refreshDetails = (): void => {
    if (showDetails) setCurrentDetails(currentDetails(snapshot()));
  };
  const setPhase = (next: WorkflowPhase): void => {
    phase = next;
    upsertSearchAttributes([{ key: searchAttributes.ReservationStatus, value: next }]);
    refreshDetails();
  };
  const adoptPhase = (next: WorkflowPhase): void => {
    phase = next;
    refreshDetails();
  };
  const facts = (): ReservationFacts => ({ phase, holdDeadline, showStart, now: Date.now() });
  const assertConfirmable = (): void => raise(confirmRefusal(facts(), refuseAfterShowStart));
  const assertCancellable = (): void => raise(cancelRefusal(facts(), input.cancellationCutoffMinutes));
  const extensionPolicy = (request: ExtendInput) => ({ extendByMs: request.extend_by_seconds * 1000, maxExtensions: request.max_extensions });
  const planExtension = (request: ExtendInput): number => {
    const outcome = extensionOutcome(facts(), holdExtensions, extensionPolicy(request));
    if ('refusal' in outcome) throw ApplicationFailure.nonRetryable(outcome.refusal.message, outcome.refusal.type);
    return outcome.deadline;
  };
  const abandon = (found: string | null): void => {
    // The request that started us rolled back (or this id was re-used): nothing to own.
    setPhase('abandoned');
    log.info('no held reservation found; abandoning', { reservationId, found });
  };
  /**
   * Did the API commit? The same lock-and-read as the first step of workflows started without the
   * facts (the lock waits for the API's commit or rollback, so a missing row is final), asked
   * once: every message that arrives meanwhile waits for the same answer. Not cancellable: a
   * cancellation request needs the answer too.
   */
  const checkRow = (): Promise<void> =>
    (rowCheck ??= CancellationScope.nonCancellable(async () => {
      const reservation = await dbSteps().findReservation(reservationId);
      rowUnread = false;
      if (!reservation || reservation.status !== 'held') {
        abandon(reservation?.status ?? null);
        return;
      }
      // The catalog's word over the API's cached read of it; the deadline and price are the row's own.
      showStart = Date.parse(reservation.show_starts_at);
      if (reservation.show_ends_at) showEnd = Date.parse(reservation.show_ends_at);
    }));
  /**
   * The caller read the row just before sending this message (RowSeen): committed, so the check's
   * answer is known, and the showtime's times it read are the catalog's word, as the check's would
   * be. Only while the row is unread and no check has started (a check in flight is awaited, as
   * any message does); evidence that does not settle it (absent, or a row seen not held) changes nothing.
   */
  const takeRowSeen = (seen: RowSeen | undefined): void => {
    if (!rowUnread || rowCheck) return;
    const times = rowSeenShowTimes(seen);
    if (!times || !patched(ROW_SEEN_BY_CALLER)) return;
    rowUnread = false;
    rowCheck = Promise.resolve();
    ({ showStart, showEnd } = times);
  };
  /** Until the workflow knows the hold is real: the row read (facts from the input) or the first step done. */
  const untilChecked = async (): Promise<void> => {
    if (factsFromInput) await checkRow();
    else if (phase === 'checking') await condition(() => phase !== 'checking');
  };

  /** Before the phase says confirmed, so a confirm's answer means the tickets exist. */
  async function issueTickets(): Promise<void> {
    if (patched(ISSUE_TICKETS)) ticketsIssued = await dbSteps().issueTickets(reservationId);
  }

  /**
   * The paid hold becomes a booking with its tickets, before the phase says confirmed (so a
   * confirm's answer means the tickets exist). Returns when it was confirmed, and the row's
   * updated_at and expiry when known (the one-step path), so the API need not read it again.
   */
  async function confirmBooking(confirmedPaymentId: string): Promise<{ confirmedAt: string; updatedAt?: string; expiresAt?: string }> {
    if (patched(CONFIRM_WITH_TICKETS)) {
      const booked = await localDb.confirmBooking(reservationId, confirmedPaymentId);
      ticketsIssued = booked.ticketIds;
      return booked;
    }
    const confirmedAt = await dbSteps().confirmSeats(reservationId, confirmedPaymentId);
    await issueTickets();
    return { confirmedAt };
  }

  async function confirm(paymentMethod: string, rowSeen?: RowSeen): Promise<ConfirmResult> {
    takeRowSeen(rowSeen);
    await untilChecked();
    assertConfirmable();
    setPhase('charging');
    paymentAttempts += 1;
    try {
      const charge = await (patched(CHARGE_LOCALLY) ? chargingLocally : charging).chargePayment({
        reservationId,
        amount: totalPrice,
        paymentMethod,
        // One key per attempt: a retried activity reuses it, a new attempt after a decline does not.
        idempotencyKey: `${reservationId}:charge:${paymentAttempts}`,
      });
      paymentId = charge.paymentId;
      if (charge.status === 'pending') {
        await dbSteps().markPaymentPending(reservationId, charge.paymentId);
        setPhase('pending_payment');
        return { status: 'pending_payment', payment_id: charge.paymentId };
      }
      const booked = await confirmBooking(charge.paymentId);
      setPhase('confirmed');
      return {
        status: 'confirmed',
        payment_id: charge.paymentId,
        confirmed_at: booked.confirmedAt,
        // What a read of the row would show, for the API's answer (absent: it reads the row).
        ...(booked.updatedAt && booked.expiresAt ? { updated_at: booked.updatedAt, expires_at: booked.expiresAt } : {}),
      };
    } catch (err) {
      lastPaymentError = failureMessage(err);
      await dbSteps().markHeldAgain(reservationId, lastPaymentError);
      setPhase('held');
      log.info('payment failed; the hold stays', { reservationId, error: lastPaymentError });
      if (activityFailedWith(err, FailureType.PaymentDeclined)) throw ApplicationFailure.nonRetryable(lastPaymentError, FailureType.PaymentDeclined);
      throw ApplicationFailure.nonRetryable(`Payment provider unavailable: ${lastPaymentError}`, FailureType.PaymentUnavailable);
    }
  }

  async function cancel(request: CancelInput): Promise<CancelResult> {
    takeRowSeen(request.row_seen);
    await untilChecked();
    if (extensionsWriting > 0 && patched(CANCEL_AFTER_EXTENSION)) await condition(() => extensionsWriting === 0);
    assertCancellable();
    const refund = refundDue(phase, paymentId, totalPrice);
    cancellingFrom = phase;
    setPhase('cancelling');
    const cancelledAt = await releaseWithRefund(refund, request.reason ?? `cancelled by ${request.requested_by ?? 'user'}`);
    log.info('reservation cancelled', { reservationId, refund, reason: cancelReason });
    // Never null here: only a cancellation request takes a missing row for released.
    return { status: 'cancelled', refund_amount: refund, cancelled_at: cancelledAt ?? new Date().toISOString() };
  }

  /**
   * Moves the hold's deadline, and with it the durable timer (the hold loop waits on the deadline),
   * the search attribute and the row. The deadline moves at once, before any await: from here on the
   * hold loop cannot expire it at the old one, so an extension and the timer never both win.
   */
  async function extend(request: ExtendInput): Promise<ExtendResult> {
    takeRowSeen(request.row_seen);
    await untilChecked();
    const deadline = planExtension(request);
    patched(EXTEND_HOLD);
    holdDeadline = deadline;
    holdExtensions += 1;
    const expiresAt = new Date(deadline).toISOString();
    upsertSearchAttributes([{ key: searchAttributes.HoldExpiresAt, value: new Date(deadline) }]);
    refreshDetails();
    extensionsWriting += 1;
    try {
      await dbSteps().extendHold(reservationId, expiresAt);
    } finally {
      extensionsWriting -= 1;
    }
    log.info('hold extended', { reservationId, expiresAt, extensions: holdExtensions });
    return { status: 'held', expires_at: expiresAt, extensions_used: holdExtensions, max_extensions: request.max_extensions };
  }

  /**
   * The one way a reservation is cancelled, by a cancel or by a cancellation request: the money
   * back first, so a refund that keeps failing leaves the booking whole rather than released unpaid.
   * Returns when the release was recorded, or null when there was no row to release (a request
   * that came before the reservation was found, with `missingIsReleased`).
   */
  async function releaseWithRefund(refund: string, reason: string, missingIsReleased = false): Promise<string | null> {
    if (refund !== '0.00' && paymentId) {
      await refunding.refundPayment({ reservationId, paymentId, amount: refund, idempotencyKey: `${reservationId}:refund:${paymentId}` });
    }
    cancelReason = reason;
    let cancelledAt: string | null = null;
    try {
      cancelledAt = await dbSteps().releaseSeats({ reservationId, outcome: 'cancelled', reason, refundAmount: refund });
    } catch (err) {
      if (!(missingIsReleased && activityFailedWith(err, FailureType.NotFound))) throw err;
    }
    // Only tickets this workflow issued (under its patch) can need revoking, so old histories replay unchanged.
    if (ticketsIssued.length > 0) ticketsRevoked = await dbSteps().revokeTickets(reservationId);
    refundAmount = refund;
    setPhase('cancelled');
    return cancelledAt;
  }

  /** Applies the provider's asynchronous verdicts; money for a booking that is gone goes back. */
  async function applyPaymentEvents(): Promise<void> {
    while (paymentEvents.length > 0) {
      const event = paymentEvents.shift() as PaymentEvent;
      const effect = paymentEventEffect(event, phase, paymentId);
      if (effect === 'confirm' || effect === 'back_to_held') {
        await dbSteps().recordPaymentOutcome(event.payment_id, effect === 'confirm' ? 'succeeded' : 'failed', event.failure_reason);
        if (effect === 'confirm') {
          await confirmBooking(event.payment_id);
          setPhase('confirmed');
        } else {
          lastPaymentError = event.failure_reason ?? 'The payment failed';
          await dbSteps().markHeldAgain(reservationId, lastPaymentError);
          setPhase('held');
        }
      } else if (effect === 'refund' && phase === 'expired' && event.payment_id === paymentId && patched(LATE_PAYMENT_RETAKES_SEATS)) {
        await retakeOrRefund(event, lateSuccessEffect(facts(), event.payment_id, paymentId) === 'retake');
      } else if (effect === 'refund') {
        log.warn('refunding a payment that arrived for a reservation no longer held', { reservationId, phase, paymentId: event.payment_id });
        if (patched(REFUNDS_APART)) {
          await refundApart(event.payment_id, event.amount ?? totalPrice);
        } else {
          await refunding.refundPayment({
            reservationId,
            paymentId: event.payment_id,
            amount: event.amount ?? totalPrice,
            idempotencyKey: `${reservationId}:refund:${event.payment_id}`,
          });
        }
      }
    }
  }

  /**
   * The payment that was pending when the hold expired has succeeded: the same seats again if all
   * are free (one transaction, the seats' unique index deciding), and the booking confirmed as by
   * a confirm; otherwise (a seat taken, or the show started: `retake` false) the expired
   * reservation records the refund and the money goes back.
   */
  async function retakeOrRefund(event: PaymentEvent, retake: boolean): Promise<void> {
    const amount = event.amount ?? totalPrice;
    await dbSteps().recordPaymentOutcome(event.payment_id, 'succeeded');
    const outcome = await dbSteps().retakeSeats({ reservationId, paymentId: event.payment_id, amount, retake });
    if (outcome.outcome === 'confirmed') {
      log.info('late payment: the seats were still free; confirmed', { reservationId, paymentId: event.payment_id });
      await issueTickets();
      setPhase('confirmed');
      return;
    }
    log.warn('late payment: its seats cannot be retaken; refunding', { reservationId, paymentId: event.payment_id, showStarted: !retake });
    refundAmount = amount;
    refreshDetails();
    await refundApart(event.payment_id, amount);
  }

  /**
   * Before a pending payment's hold expires: the provider's verdict, which its webhook may not
   * have delivered yet. An answer that does not come counts as still pending.
   */
  async function askProvider(pendingPaymentId: string): Promise<{ status: 'succeeded' | 'failed' | 'pending'; failureReason: string | null }> {
    try {
      return await asking.askPaymentStatus(pendingPaymentId);
    } catch (err) {
      log.warn('could not ask the provider before the expiry; the hold expires with the payment pending', { reservationId, error: failureMessage(err) });
      return { status: 'pending', failureReason: null };
    }
  }

  /** A booking sleeps until it completes (the show's end, or its start before that patch); a cancel before the cutoff wakes it. */
  async function untilCompleted(): Promise<void> {
    const completeAt = completionAt(showStart, showEnd, patched(COMPLETE_AT_SHOW_END));
    await condition(() => phase !== 'confirmed' || paymentEvents.length > 0, untilCompletion(completeAt, Date.now()));
    while (phase === 'confirmed' && paymentEvents.length > 0) {
      await applyPaymentEvents();
      await condition(() => phase !== 'confirmed' || paymentEvents.length > 0, untilCompletion(completeAt, Date.now()));
    }
    if (phase === 'confirmed') {
      await dbSteps().completeReservation(reservationId);
      setPhase('completed');
    } else {
      await condition(() => phase === 'cancelled');
    }
  }

  /** Starts the refund and returns once it runs; it outlives this workflow if need be. */
  async function refundApart(refundedPaymentId: string, amount: string): Promise<void> {
    try {
      await startChild(refundLatePaymentWorkflow, {
        workflowId: refundWorkflowId(refundedPaymentId),
        args: [{ reservationId, paymentId: refundedPaymentId, amount }],
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      // The API (a late event) or an earlier event already started this payment's refund.
      // (@temporalio/workflow does not export that error's class; its name is stable.)
      if (!(err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError')) throw err;
    }
  }

  function snapshot(): ReservationState {
    return {
      reservation_id: reservationId,
      status: phase,
      hold_expires_at: holdDeadline ? new Date(holdDeadline).toISOString() : null,
      show_starts_at: showStart ? new Date(showStart).toISOString() : null,
      hold_extensions: holdExtensions,
      total_price: phase === 'checking' ? null : totalPrice,
      payment_id: paymentId,
      payment_attempts: paymentAttempts,
      last_payment_error: lastPaymentError,
      refund_amount: refundAmount,
      cancel_reason: cancelReason,
      last_refused_cancel: lastRefusedCancel,
      rejected_payment_events: [...rejectedPaymentEvents],
      tickets_issued: [...ticketsIssued],
      tickets_revoked: [...ticketsRevoked],
    };
  }
  setHandler(stateQuery, snapshot);
  setHandler(confirmUpdate, ({ payment_method, row_seen }) => confirm(payment_method, row_seen), {
    validator: (request) => {
      if (typeof request?.payment_method !== 'string' || request.payment_method.length === 0) {
        throw ApplicationFailure.nonRetryable('payment_method is required', FailureType.InvalidArgument);
      }
      if (phase !== 'checking') assertConfirmable();
    },
  });
  setHandler(cancelUpdate, (request) => cancel(request ?? {}), {
    validator: (_request: CancelInput) => {
      if (phase !== 'checking') assertCancellable();
    },
  });
  setHandler(extendUpdate, (request) => extend(request), {
    validator: (request: ExtendInput) => {
      if (!validExtensionInput(request)) {
        throw ApplicationFailure.nonRetryable('extend_by_seconds must be a positive integer and max_extensions a non-negative one', FailureType.InvalidArgument);
      }
      if (phase !== 'checking') planExtension(request);
    },
  });
  setHandler(cancelSignal, async (request) => {
    // Typed by hand in the Web UI: take a reason only if it is text, keep it short, and drop NULs,
    // which Postgres text cannot store (the release would fail on every retry).
    const text = typeof request?.reason === 'string' ? request.reason.split(String.fromCharCode(0)).join('').trim() : '';
    const reason = text ? text.slice(0, 500) : undefined;
    const requestedBy = typeof request?.requested_by === 'string' ? request.requested_by.slice(0, 50) : 'operator';
    try {
      await cancel({ reason, requested_by: requestedBy });
      lastRefusedCancel = null;
    } catch (err) {
      lastRefusedCancel = failureMessage(err);
      log.warn('cancel signal refused', { reservationId, phase, error: lastRefusedCancel });
    }
  });
  // Only remembered for the state query: a refused event changes nothing, so it issues no command.
  setHandler(paymentRejectedSignal, (notice) => {
    if (typeof notice?.event_id !== 'string' || rejectedPaymentEvents.some((e) => e.event_id === notice.event_id)) return;
    rejectedPaymentEvents.push({ event_id: notice.event_id.slice(0, 255), payment_id: String(notice.payment_id).slice(0, 255), reason: notice.reason });
    if (rejectedPaymentEvents.length > MAX_REJECTED_EVENTS) rejectedPaymentEvents.shift();
    log.warn('payment event rejected: it does not match a payment of this reservation; nothing changed', { reservationId, ...notice });
  });
  setHandler(paymentSignal, (event) => {
    if (!event?.event_id || seenEventIds.has(event.event_id)) return;
    seenEventIds.add(event.event_id);
    paymentEvents.push(event);
  });

  /** The lifecycle proper: owns the hold from the first check to the end. */
  async function run(): Promise<ReservationOutcome> {
    if (factsFromInput) {
      // The API's start already set ReservationStatus=held and HoldExpiresAt; no activity here.
      refreshDetails();
    } else {
      const reservation = await dbSteps().findReservation(reservationId);
      if (!reservation || reservation.status !== 'held') {
        abandon(reservation?.status ?? null);
        return 'abandoned';
      }
      holdDeadline = Date.parse(reservation.hold_expires_at);
      showStart = Date.parse(reservation.show_starts_at);
      showEnd = reservation.show_ends_at ? Date.parse(reservation.show_ends_at) : 0;
      totalPrice = reservation.total_price;
      adoptHold();
    }

    // The hold: wait for confirm, cancel or a payment verdict, until the durable timer runs out.
    // (Only a hold whose row turned out missing is abandoned here.)
    let outstandingPayment = false;
    while (!isSettled(phase) && phase !== 'abandoned') {
      // A payment verdict or the deadline acts on the row: first make sure there is one.
      if (rowUnread && paymentEvents.length > 0) {
        await checkRow();
        continue;
      }
      await applyPaymentEvents();
      if (isSettled(phase)) break;
      const step = holdStep(facts());
      if (step.expire && rowUnread) {
        await checkRow();
        continue;
      }
      if (step.expire && phase === 'pending_payment' && paymentId && patched(ASK_PROVIDER_BEFORE_EXPIRY)) {
        const verdict = await askProvider(paymentId);
        if (verdict.status === 'succeeded' && paymentEvents.every((e) => e.payment_id !== paymentId)) {
          // Applied as the webhook's event would be; the webhook, when it comes, is then a duplicate.
          paymentEvents.push({ event_id: `provider-status:${paymentId}`, type: 'payment_intent.succeeded', payment_id: paymentId });
          continue;
        }
        if (paymentEvents.length > 0) continue; // the webhook came while we asked: its verdict first
        if (verdict.status === 'failed') {
          lastPaymentError = verdict.failureReason ?? 'The payment failed';
          await dbSteps().recordPaymentOutcome(paymentId, 'failed', lastPaymentError);
          await dbSteps().releaseSeats({ reservationId, outcome: 'expired' });
          setPhase('expired');
          break;
        }
      }
      if (step.expire) {
        outstandingPayment = phase === 'pending_payment';
        await dbSteps().releaseSeats({ reservationId, outcome: 'expired' });
        setPhase('expired');
        break;
      }
      const seen = phase;
      const seenDeadline = holdDeadline;
      // An extension moves the deadline: wake, and wait on the new one.
      const changed = () => phase !== seen || paymentEvents.length > 0 || holdDeadline !== seenDeadline;
      // While a charge runs past the deadline the hold waits for its result instead of expiring.
      if (step.waitMs !== undefined) await condition(changed, step.waitMs);
      else await condition(changed);
    }

    if (phase === 'confirmed') await untilCompleted();

    if (outstandingPayment) {
      // The provider may still approve the payment that was pending when the hold ran out.
      if (await condition(() => paymentEvents.length > 0, latePaymentWindowMs(input.latePaymentWindowMs))) await applyPaymentEvents();
      // Its success may have retaken the seats: a booking again, until the show.
      if (phase === 'confirmed') await untilCompleted();
    }
    await condition(allHandlersFinished);
    return phase as ReservationOutcome;
  }

  /** The row read first (workflows started without the facts): the hold is ours from here. */
  function adoptHold(): void {
    if (patched(LOCAL_DB_STEPS)) {
      // The API's start already set ReservationStatus=held and HoldExpiresAt.
      adoptPhase('held');
    } else {
      upsertSearchAttributes([{ key: searchAttributes.HoldExpiresAt, value: new Date(holdDeadline) }]);
      setPhase('held');
    }
  }

  /**
   * An operator's "Request Cancellation" (Web UI, `temporal workflow cancel`) must not strand
   * the seats: give them back, and the money if the booking was paid, whatever was running.
   * (Terminate runs no code at all; the runbook says to use the cancel signal instead.)
   */
  async function releaseAfterCancellation(): Promise<void> {
    // The API asks this of a hold it knows rolled back: a missing row then ends the workflow abandoned.
    if (rowUnread) await checkRow();
    if (isFinished(phase)) return;
    const refund = refundDue(phase === 'cancelling' ? cancellingFrom : phase, paymentId, totalPrice);
    // Cancelled before the reservation was found: there may be nothing to release.
    await releaseWithRefund(refund, 'cancelled by an operator (workflow cancellation request)', true);
  }

  try {
    return await run();
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(releaseAfterCancellation);
    // Nothing was held, so nothing was cancelled: the run ends as any abandoned one does.
    if (factsFromInput && phase === 'abandoned') return 'abandoned';
    throw err;
  }
}
