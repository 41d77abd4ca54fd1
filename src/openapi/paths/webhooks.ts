import { z } from 'zod';
import { PAYMENT_EVENT_OUTCOMES } from '../../metrics/outcomes';
import { PaymentWebhookEvent } from '../../routes/webhooks/schema';
import { named } from '../common';
import type { RouteDoc } from '../types';

/** What src/routes/webhooks/router.ts answers (kept here: that folder belongs to the payments work). */
const WebhookAck = z.object({
  received: z.literal(true),
  event_id: z.string(),
  outcome: z.enum(PAYMENT_EVENT_OUTCOMES),
});

export const webhookRoutes: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/v1/webhooks/payments',
    operationId: 'receivePaymentWebhook',
    summary: "The payment provider's events (Stripe-compatible)",
    description:
      'No bearer token: the `Stripe-Signature` header authenticates the raw body. Handled types: `payment_intent.succeeded` and ' +
      '`payment_intent.payment_failed`, turned into a signal to the reservation\'s workflow; others are acknowledged and ignored. ' +
      'An event id delivered again answers 200 and is applied once. An event is matched against the payment we made by its ' +
      '`data.object.id`: the reservation in `metadata.reservation_id`, the `amount` (required on a success) and the `currency` ' +
      '(when sent) must agree with it. One that does not is answered 200 with outcome `rejected` (so the provider stops ' +
      'redelivering it), recorded, logged and counted, and changes nothing. Ids or a failure message containing a NUL character ' +
      'are refused with 400 `INVALID_EVENT`.',
    tag: 'webhooks',
    auth: 'none',
    headers: [
      {
        name: 'Stripe-Signature',
        description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with PAYMENT_WEBHOOK_SECRET>`; older than 5 minutes is refused',
        schema: z.string(),
        required: true,
      },
    ],
    body: {
      schema: named('PaymentWebhookEvent', PaymentWebhookEvent),
      examples: {
        succeeded: {
          summary: 'A payment succeeded',
          value: { id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount: 2500, metadata: { reservation_id: '7b0f4a9e-2f0c-4d5e-9a51-0c6f1d2e3b4a' } } } },
        },
      },
    },
    responses: [{ status: 200, description: 'Received (also for a duplicate, an ignored type or a rejected event)', schema: named('WebhookAck', WebhookAck) }],
    errors: [{ status: 400, codes: { INVALID_SIGNATURE: 'Missing or bad signature, or too old', INVALID_EVENT: 'Signed, but not a payment event (or an id or message contains a NUL character)' } }],
  },
];
