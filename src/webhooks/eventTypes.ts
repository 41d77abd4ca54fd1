/** What an endpoint may subscribe to; migration 20261202000301's CHECK constraints list the same. */
export const WEBHOOK_EVENT_TYPES = [
  'reservation.held',
  'reservation.confirmed',
  'reservation.cancelled',
  'reservation.expired',
  'reservation.refunded',
  'reservation.completed',
  'ticket.checked_in',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The request header carrying the signature, in Stripe's format: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Webhook-Signature';
/** The event's id, also in the body: receivers deduplicate by it (delivery is at least once). */
export const WEBHOOK_ID_HEADER = 'Webhook-Id';
