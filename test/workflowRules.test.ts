import {
  cancelRefusal,
  cancellationCutoff,
  confirmRefusal,
  DEFAULT_LATE_PAYMENT_WINDOW_MS,
  holdStep,
  isFinished,
  isSettled,
  latePaymentWindowMs,
  paymentEventEffect,
  refundDue,
  untilShowStart,
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

describe('untilShowStart', () => {
  it('sleeps until the show, and at least a millisecond once it has started', () => {
    expect(untilShowStart(facts())).toBe(180 * MIN);
    expect(untilShowStart(facts({ now: NOW + 200 * MIN }))).toBe(1);
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
