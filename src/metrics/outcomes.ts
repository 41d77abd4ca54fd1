import type { Context } from 'koa';

/** What the API answered about a reservation; the worker counts what happened later (expiry, operator cancels). */
export const API_RESERVATION_OUTCOMES = ['held', 'rejected', 'confirmed', 'pending_payment', 'declined', 'cancelled'] as const;
export type ApiReservationOutcome = (typeof API_RESERVATION_OUTCOMES)[number];

/** What the webhook endpoint did with a signed event (src/payments/applyPaymentEvent.ts). */
export const PAYMENT_EVENT_OUTCOMES = ['applied', 'duplicate', 'ignored', 'unknown_reservation', 'refunding_late_payment', 'rejected'] as const;
export type PaymentEventOutcome = (typeof PAYMENT_EVENT_OUTCOMES)[number];

declare module 'koa' {
  interface DefaultState {
    /** Set by the payment webhook, for the payment events counter. */
    paymentEventOutcome?: PaymentEventOutcome;
    /** Set by a reservation route that changed a reservation, for the outcomes counter. */
    reservationOutcome?: ApiReservationOutcome;
  }
}

// Failures are thrown, so the route cannot set its outcome; the error code names it.
const OUTCOME_OF_ERROR: Record<string, ApiReservationOutcome> = {
  SEAT_UNAVAILABLE: 'rejected',
  PAYMENT_DECLINED: 'declined',
};

/** The reservation outcome of a finished request, if it had one. */
export function reservationOutcome(ctx: Context): ApiReservationOutcome | undefined {
  if (ctx.state.reservationOutcome) return ctx.state.reservationOutcome;
  const body: unknown = ctx.body;
  const code = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? OUTCOME_OF_ERROR[code] : undefined;
}
