import {
  cancelRefusal,
  cancellationCutoff,
  completionAt,
  confirmRefusal,
  DEFAULT_LATE_PAYMENT_WINDOW_MS,
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
  type ReservationFacts,
} from '../workflows/rules';
import { FailureType } from '../workflows/failures';

const MIN = 60_000;
const NOW = Date.parse('2026-12-01T18:00:00Z');
/** A hold with 10 minutes left, for a show in 3 hours. */
const facts = (over: Partial<ReservationFacts> = {}): ReservationFacts => ({
  phase: 'held',
  holdDeadline: NOW + 10 * MIN,
  showStart: NOW + 180 * MIN,
  now: NOW,
  ...over,
});

describe('confirmRefusal', () => {
  it('lets a live hold be confirmed', () => {
    expect(confirmRefusal(facts(), true)).toBeNull();
  });

  it('refuses a hold past its deadline, even before the timer fired, and an expired one', () => {
    expect(confirmRefusal(facts({ now: NOW + 10 * MIN }), true)?.type).toBe(FailureType.HoldExpired);
    expect(confirmRefusal(facts({ phase: 'expired' }), true)?.type).toBe(FailureType.HoldExpired);
  });

  it('refuses once the show has started, but only with the patched guard', () => {
    const started = facts({ holdDeadline: NOW + 200 * MIN, now: NOW + 181 * MIN });
    expect(confirmRefusal(started, true)?.type).toBe(FailureType.ShowtimeStarted);
    expect(confirmRefusal(started, false)).toBeNull();
    expect(confirmRefusal({ ...started, phase: 'expired' }, true)?.type).toBe(FailureType.ShowtimeStarted);
  });

  it('refuses every other phase as an invalid state, naming it', () => {
    for (const phase of ['charging', 'pending_payment', 'confirmed', 'cancelling', 'cancelled', 'completed'] as const) {
      expect(confirmRefusal(facts({ phase }), true)).toEqual({ type: FailureType.InvalidState, message: `A reservation that is ${phase} cannot be confirmed` });
    }
  });
});

describe('cancelRefusal', () => {
  const cutoffMinutes = 60;

  it('lets a live hold be cancelled, and refuses one past its deadline as expired', () => {
    expect(cancelRefusal(facts(), cutoffMinutes)).toBeNull();
    expect(cancelRefusal(facts({ now: NOW + 10 * MIN }), cutoffMinutes)).toEqual({
      type: FailureType.InvalidState,
      message: 'A reservation that is expired cannot be cancelled',
    });
  });

  it('lets a booking be cancelled until the cutoff, and not from the cutoff on', () => {
    const booked = facts({ phase: 'confirmed' });
    const cutoff = cancellationCutoff(booked.showStart, cutoffMinutes);
    expect(cutoff).toBe(NOW + 120 * MIN);
    expect(cancelRefusal({ ...booked, now: cutoff - 1 }, cutoffMinutes)).toBeNull();
    expect(cancelRefusal({ ...booked, now: cutoff }, cutoffMinutes)).toEqual({
      type: FailureType.CancellationCutoff,
      message: 'Bookings can be cancelled until 60 minutes before the show',
    });
  });

  it('refuses a reservation that is paying or over', () => {
    for (const phase of ['checking', 'charging', 'pending_payment', 'cancelling', 'cancelled', 'expired', 'completed', 'abandoned'] as const) {
      expect(cancelRefusal(facts({ phase }), cutoffMinutes)?.type).toBe(FailureType.InvalidState);
    }
  });
});

describe('refundDue', () => {
  it('gives back the whole price of a paid booking and nothing for a hold', () => {
    expect(refundDue('confirmed', 'pay_1', '21.00')).toBe('21.00');
    expect(refundDue('held', 'pay_1', '21.00')).toBe('0.00');
    expect(refundDue('pending_payment', 'pay_1', '21.00')).toBe('0.00');
    expect(refundDue('confirmed', null, '21.00')).toBe('0.00');
  });
});

describe('holdStep', () => {
  it('waits for the rest of the hold, then expires a held or pending one', () => {
    expect(holdStep(facts())).toEqual({ expire: false, waitMs: 10 * MIN });
    expect(holdStep(facts({ now: NOW + 10 * MIN }))).toEqual({ expire: true });
    expect(holdStep(facts({ phase: 'pending_payment', now: NOW + 11 * MIN }))).toEqual({ expire: true });
  });

  it('does not expire a charge that runs past the deadline: it waits for its result', () => {
    expect(holdStep(facts({ phase: 'charging', now: NOW + 11 * MIN }))).toEqual({ expire: false, waitMs: undefined });
  });
});

describe('completionAt and untilCompletion', () => {
  const start = NOW + 180 * MIN;
  const end = NOW + 300 * MIN;

  it('completes a booking at the show\'s end under the patch, at its start before it', () => {
    expect(completionAt(start, end, true)).toBe(end);
    expect(completionAt(start, end, false)).toBe(start);
  });

  it('falls back to the start when the end is unknown (a snapshot recorded before it was read)', () => {
    expect(completionAt(start, 0, true)).toBe(start);
  });

  it('sleeps until then, and at least a millisecond once it has passed', () => {
    expect(untilCompletion(end, NOW)).toBe(300 * MIN);
    expect(untilCompletion(end, end + MIN)).toBe(1);
  });
});

describe('extensionOutcome', () => {
  const policy = { extendByMs: 10 * MIN, maxExtensions: 2 };

  it('adds the extension to the current expiry, not to now', () => {
    expect(extensionOutcome(facts({ now: NOW + 9 * MIN }), 0, policy)).toEqual({ deadline: NOW + 20 * MIN });
    expect(extensionOutcome(facts({ holdDeadline: NOW + 20 * MIN }), 1, policy)).toEqual({ deadline: NOW + 30 * MIN });
  });

  it('refuses once the cap is used, saying the cap', () => {
    const outcome = extensionOutcome(facts(), 2, policy);
    expect(outcome).toEqual({ refusal: { type: FailureType.ExtensionLimit, message: expect.stringContaining('at most 2 times') } });
    expect(extensionOutcome(facts(), 0, { ...policy, maxExtensions: 0 })).toMatchObject({ refusal: { type: FailureType.ExtensionLimit } });
  });

  it("clamps at the show's start, and refuses when nothing can be gained", () => {
    expect(extensionOutcome(facts({ showStart: NOW + 15 * MIN }), 0, policy)).toEqual({ deadline: NOW + 15 * MIN });
    expect(extensionOutcome(facts({ holdDeadline: NOW + 15 * MIN, showStart: NOW + 15 * MIN }), 1, policy)).toMatchObject({
      refusal: { type: FailureType.ExtensionLimit, message: expect.stringContaining("showtime's start") },
    });
  });

  it('refuses a hold past its deadline as expired, even before the timer fired', () => {
    expect(extensionOutcome(facts({ now: NOW + 10 * MIN }), 0, policy)).toMatchObject({ refusal: { type: FailureType.HoldExpired } });
    expect(extensionOutcome(facts({ phase: 'expired' }), 0, policy)).toMatchObject({ refusal: { type: FailureType.HoldExpired } });
  });

  it('refuses anything but a hold as an invalid state', () => {
    for (const phase of ['pending_payment', 'charging', 'confirmed', 'cancelled', 'cancelling', 'completed'] as const) {
      expect(extensionOutcome(facts({ phase }), 0, policy)).toMatchObject({ refusal: { type: FailureType.InvalidState } });
    }
  });
});

describe('validExtensionInput', () => {
  it('takes whole positive seconds and a non-negative cap', () => {
    expect(validExtensionInput({ extend_by_seconds: 600, max_extensions: 2 })).toBe(true);
    expect(validExtensionInput({ extend_by_seconds: 600, max_extensions: 0 })).toBe(true);
    expect(validExtensionInput({ extend_by_seconds: 0, max_extensions: 2 })).toBe(false);
    expect(validExtensionInput({ extend_by_seconds: 1.5, max_extensions: 2 })).toBe(false);
    expect(validExtensionInput({ extend_by_seconds: 600, max_extensions: -1 })).toBe(false);
    expect(validExtensionInput({ extend_by_seconds: '600', max_extensions: 2 })).toBe(false);
    expect(validExtensionInput(undefined)).toBe(false);
  });
});

describe('lateSuccessEffect', () => {
  const expired = facts({ phase: 'expired', now: NOW + 20 * MIN });

  it("retakes the seats for the expired hold's own payment before the show", () => {
    expect(lateSuccessEffect(expired, 'pay_1', 'pay_1')).toBe('retake');
  });

  it('refunds anything else: another payment, another phase, or after the show started', () => {
    expect(lateSuccessEffect(expired, 'pay_2', 'pay_1')).toBe('refund');
    expect(lateSuccessEffect({ ...expired, phase: 'cancelled' }, 'pay_1', 'pay_1')).toBe('refund');
    expect(lateSuccessEffect({ ...expired, now: NOW + 180 * MIN }, 'pay_1', 'pay_1')).toBe('refund');
  });
});

describe('paymentEventEffect', () => {
  const succeeded = (payment_id: string) => ({ type: 'payment_intent.succeeded' as const, payment_id });
  const failed = (payment_id: string) => ({ type: 'payment_intent.payment_failed' as const, payment_id });

  it('settles the pending payment it names', () => {
    expect(paymentEventEffect(succeeded('p1'), 'pending_payment', 'p1')).toBe('confirm');
    expect(paymentEventEffect(failed('p1'), 'pending_payment', 'p1')).toBe('back_to_held');
  });

  it('refunds money that is not the booking it pays for', () => {
    expect(paymentEventEffect(succeeded('p2'), 'pending_payment', 'p1')).toBe('refund');
    expect(paymentEventEffect(succeeded('p1'), 'expired', 'p1')).toBe('refund');
    expect(paymentEventEffect(succeeded('p2'), 'confirmed', 'p1')).toBe('refund');
    expect(paymentEventEffect(succeeded('p1'), 'held', null)).toBe('refund');
  });

  it('ignores a repeat of the payment that made the booking, and failures of others', () => {
    expect(paymentEventEffect(succeeded('p1'), 'confirmed', 'p1')).toBe('ignore');
    expect(paymentEventEffect(failed('p2'), 'held', 'p1')).toBe('ignore');
    expect(paymentEventEffect(failed('p1'), 'expired', 'p1')).toBe('ignore');
  });
});

describe('phases', () => {
  it('knows which end the hold loop and which end the workflow', () => {
    expect(['confirmed', 'cancelled'].every((p) => isSettled(p as 'confirmed'))).toBe(true);
    expect(isSettled('held')).toBe(false);
    expect((['abandoned', 'expired', 'cancelled', 'completed'] as const).every(isFinished)).toBe(true);
    expect((['checking', 'held', 'charging', 'pending_payment', 'confirmed', 'cancelling'] as const).some(isFinished)).toBe(false);
  });
});

describe('latePaymentWindowMs', () => {
  it('is 24 hours unless the input gives a positive number', () => {
    expect(DEFAULT_LATE_PAYMENT_WINDOW_MS).toBe(24 * 60 * MIN);
    expect(latePaymentWindowMs(undefined)).toBe(DEFAULT_LATE_PAYMENT_WINDOW_MS);
    expect(latePaymentWindowMs(0)).toBe(DEFAULT_LATE_PAYMENT_WINDOW_MS);
    expect(latePaymentWindowMs(Number.NaN)).toBe(DEFAULT_LATE_PAYMENT_WINDOW_MS);
    expect(latePaymentWindowMs(1500)).toBe(1500);
  });
});

describe('heldFromInput', () => {
  const hold = { expiresAt: '2026-12-01T18:10:00.000Z', showStartsAt: '2026-12-01T21:00:00.000Z', showEndsAt: '2026-12-01T23:00:00.000Z', totalPrice: '21.00' };

  it("takes the hold's facts from the API's input, in milliseconds", () => {
    expect(heldFromInput(hold)).toEqual({
      holdDeadline: NOW + 10 * MIN,
      showStart: NOW + 180 * MIN,
      showEnd: NOW + 300 * MIN,
      totalPrice: '21.00',
    });
  });

  it('gives none for an input without them or with unusable ones: the workflow then reads the row first', () => {
    expect(heldFromInput(undefined)).toBeNull();
    expect(heldFromInput({ ...hold, expiresAt: 'soon' })).toBeNull();
    expect(heldFromInput({ ...hold, showEndsAt: undefined })).toBeNull();
    expect(heldFromInput({ ...hold, totalPrice: '21' })).toBeNull();
    expect(heldFromInput({ ...hold, totalPrice: 21 as unknown as string })).toBeNull();
  });
});

describe('rowSeenShowTimes', () => {
  const start = '2026-12-01T21:00:00.000Z';
  const end = '2026-12-01T23:15:00.000Z';
  it("takes a row seen held, with the showtime's times it carries", () => {
    expect(rowSeenShowTimes({ status: 'held', show_starts_at: start, show_ends_at: end })).toEqual({ showStart: Date.parse(start), showEnd: Date.parse(end) });
  });
  it('settles nothing without evidence, for a row seen in another status, or without usable times', () => {
    expect(rowSeenShowTimes(undefined)).toBeNull();
    for (const status of ['pending_payment', 'confirmed', 'cancelled', 'expired', 'completed'] as const) {
      expect(rowSeenShowTimes({ status, show_starts_at: start, show_ends_at: end })).toBeNull();
    }
    expect(rowSeenShowTimes({ status: 'held', show_starts_at: start })).toBeNull();
    expect(rowSeenShowTimes({ status: 'held', show_starts_at: 'tomorrow', show_ends_at: end })).toBeNull();
    expect(rowSeenShowTimes('held' as never)).toBeNull();
  });
});
