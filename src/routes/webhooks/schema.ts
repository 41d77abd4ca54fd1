import { z } from 'zod';

const NUL = String.fromCharCode(0);
/** Postgres text cannot hold a NUL: one that got through would fail every write that carries it. */
const text = (max: number, min = 0) => z.string().min(min).max(max).refine((s) => !s.includes(NUL), 'must not contain a NUL character');

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
