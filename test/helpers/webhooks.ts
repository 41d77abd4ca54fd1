import { signWebhookPayload } from '../../src/payments/webhookSignature';
import type { ApiClient } from './http';

export function paymentEvent(opts: {
  id: string;
  type: string;
  paymentId: string;
  reservationId?: string;
  amountCents?: number;
  currency?: string;
  failureMessage?: string;
}) {
  return {
    id: opts.id,
    type: opts.type,
    data: {
      object: {
        id: opts.paymentId,
        amount: opts.amountCents ?? 1000,
        ...(opts.currency === undefined ? {} : { currency: opts.currency }),
        metadata: { reservation_id: opts.reservationId },
        ...(opts.failureMessage === undefined ? {} : { last_payment_error: { message: opts.failureMessage } }),
      },
    },
  };
}

/** Posts a body to the webhook endpoint signed the way the provider signs it (or as told). */
export function postWebhook(api: ApiClient, body: unknown, secret: string, opts: { timestamp?: number; signature?: string; raw?: string } = {}) {
  const raw = opts.raw ?? JSON.stringify(body);
  const signature = opts.signature ?? signWebhookPayload(raw, secret, opts.timestamp);
  return api.post('/webhooks/payments', undefined, { raw, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } });
}

/** One sample of a Prometheus text exposition, by metric name and labels. */
export function metricSample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [series, value] = line.split(/\s+/);
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) return Number(value);
  }
  return undefined;
}
