import { z } from 'zod';

/** The part of a Stripe-compatible event we act on; anything else in it is ignored. */
export const PaymentWebhookEvent = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({
    object: z.object({
      id: z.string().min(1).max(255),
      amount: z.number().int().nonnegative().max(100_000_000).optional(),
      metadata: z.object({ reservation_id: z.string().max(255).optional() }).partial().optional(),
      last_payment_error: z.object({ message: z.string().max(1000).optional() }).partial().nullish(),
    }),
  }),
});
export type PaymentWebhookEvent = z.infer<typeof PaymentWebhookEvent>;

export const HANDLED_EVENT_TYPES = ['payment_intent.succeeded', 'payment_intent.payment_failed'] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];
export const isHandledEventType = (t: string): t is HandledEventType => (HANDLED_EVENT_TYPES as readonly string[]).includes(t);
