/** A payment provider's webhook event, as we read it (Stripe's shape): parsed by the webhook route, acted on by src/payments. */
import { z } from 'zod';
import { isStorableText, STORABLE_TEXT_MESSAGE } from '../http/validate';

/** What Postgres text cannot hold (a NUL) would fail every write that carries it, each time the provider redelivers. */
const text = (max: number, min = 0) => z.string().min(min).max(max).refine(isStorableText, STORABLE_TEXT_MESSAGE);

/** The part of a Stripe-compatible event we act on; anything else in it is ignored. */
export const PaymentWebhookEvent = z.object({
  id: text(255, 1),
  type: text(255, 1),
  data: z.object({
    object: z.object({
      id: text(255, 1),
      amount: z.number().int().nonnegative().max(100_000_000).optional(),
      currency: text(10).optional(),
      metadata: z.object({ reservation_id: text(255).optional() }).partial().optional(),
      last_payment_error: z.object({ message: text(1000).optional() }).partial().nullish(),
    }),
  }),
});
export type PaymentWebhookEvent = z.infer<typeof PaymentWebhookEvent>;

export const HANDLED_EVENT_TYPES = ['payment_intent.succeeded', 'payment_intent.payment_failed'] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];
export const isHandledEventType = (t: string): t is HandledEventType => (HANDLED_EVENT_TYPES as readonly string[]).includes(t);
