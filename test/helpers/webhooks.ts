import { signWebhookPayload } from '../../src/payments/webhookSignature';
import type { ApiClient } from './http';

export function paymentEvent(opts: { id: string; type: string; paymentId: string; reservationId?: string; amountCents?: number }) {
  return {
    id: opts.id,
    type: opts.type,
    data: { object: { id: opts.paymentId, amount: opts.amountCents ?? 1000, metadata: { reservation_id: opts.reservationId } } },
  };
}

/** Posts a body to the webhook endpoint signed the way the provider signs it (or as told). */
export function postWebhook(api: ApiClient, body: unknown, secret: string, opts: { timestamp?: number; signature?: string; raw?: string } = {}) {
  const raw = opts.raw ?? JSON.stringify(body);
  const signature = opts.signature ?? signWebhookPayload(raw, secret, opts.timestamp);
  return api.post('/webhooks/payments', undefined, { raw, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } });
}
