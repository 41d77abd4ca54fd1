import { IdParams } from '../../http/ids';
import { PaginationQuery } from '../../http/pagination';
import {
  CreatedWebhookEndpointView,
  CreateWebhookEndpointBody,
  DeliveryParams,
  ListDeliveriesQuery,
  WebhookDeliveryView,
  WebhookEndpointView,
} from '../../routes/webhookEndpoints/schema';
import { named, pageOf } from '../common';
import type { RouteDoc } from '../types';

const ADMIN = { roles: ['admin'] } as const;
const VALIDATION = { status: 422, codes: { VALIDATION_ERROR: 'A parameter or field is invalid' } };
const NOT_FOUND = { status: 404, codes: { WEBHOOK_ENDPOINT_NOT_FOUND: 'No such endpoint, or it was deleted' } };
const Endpoint = named('WebhookEndpoint', WebhookEndpointView);
const Delivery = named('WebhookDelivery', WebhookDeliveryView);

const SIGNING =
  'Each event is POSTed as JSON `{id, object:"event", type, created, sequence, data:{object}}` (`data.object`: the reservation as ' +
  '`GET /reservations/:id` shows it at that change, or the check-in), with headers `Webhook-Id: <event id>` and ' +
  '`Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the endpoint\'s secret>` (Stripe\'s scheme). ' +
  'Any 2xx acknowledges it. Delivery is at least once (deduplicate by `id`) and in order per reservation: an event is sent ' +
  'only once the endpoint acknowledged, or was given up on, every earlier event of the same reservation. Unacknowledged ' +
  'events are retried with exponential backoff for up to 3 days (WEBHOOK_GIVE_UP_AFTER_SECONDS), then marked `failed`.';

export const webhookEndpointRoutes: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/v1/webhook-endpoints',
    operationId: 'createWebhookEndpoint',
    summary: 'Subscribe a URL to reservation and check-in events (admin)',
    description:
      `${SIGNING} The answer carries the endpoint's signing secret, shown only here. Outside development (WEBHOOK_ALLOW_PRIVATE_TARGETS=false, ` +
      'the default in production) a URL whose host is, or resolves to, a loopback, link-local or private address is refused ' +
      '(422 `UNSAFE_WEBHOOK_TARGET`); every delivery checks the address it connects to again.',
    tag: 'webhook-endpoints',
    auth: ADMIN,
    body: {
      schema: named('CreateWebhookEndpointRequest', CreateWebhookEndpointBody),
      examples: {
        bookings: {
          summary: 'Bookings and cancellations',
          value: { url: 'https://hooks.example.com/cinema', events: ['reservation.confirmed', 'reservation.cancelled', 'reservation.refunded'], description: 'CRM sync' },
        },
      },
    },
    responses: [
      {
        status: 201,
        description: 'The endpoint, with its signing secret (shown once)',
        schema: named('CreatedWebhookEndpoint', CreatedWebhookEndpointView),
        headers: { Location: "The new endpoint's URL" },
      },
    ],
    errors: [
      {
        status: 422,
        codes: {
          VALIDATION_ERROR: 'A field is invalid (not an http(s) URL, an unknown event type, no event type)',
          UNSAFE_WEBHOOK_TARGET: 'The URL points at a loopback, link-local or private address while those are refused',
        },
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    summary: 'List webhook endpoints (admin)',
    description: 'Ordered by id; deleted endpoints are not listed. Secrets are never shown again.',
    tag: 'webhook-endpoints',
    auth: ADMIN,
    query: PaginationQuery,
    responses: [{ status: 200, description: 'A page of endpoints', schema: pageOf('WebhookEndpointPage', WebhookEndpointView) }],
    errors: [VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/webhook-endpoints/:id',
    operationId: 'getWebhookEndpoint',
    summary: 'One webhook endpoint (admin)',
    tag: 'webhook-endpoints',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: { id: 'Endpoint id' },
    responses: [{ status: 200, description: 'The endpoint', schema: Endpoint }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'DELETE',
    path: '/api/v1/webhook-endpoints/:id',
    operationId: 'deleteWebhookEndpoint',
    summary: 'Stop sending events to an endpoint (admin)',
    description: 'Nothing more is sent to it; deliveries still pending end `failed`. Its delivery log is no longer served.',
    tag: 'webhook-endpoints',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: { id: 'Endpoint id' },
    responses: [{ status: 204, description: 'Deleted' }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/webhook-endpoints/:id/deliveries',
    operationId: 'listWebhookDeliveries',
    summary: "An endpoint's delivery log (admin)",
    description: 'Newest first: each event sent (or to be sent) to the endpoint, its attempts, the last answer or error, and when the next attempt is due.',
    tag: 'webhook-endpoints',
    auth: ADMIN,
    params: IdParams,
    query: ListDeliveriesQuery,
    paramDescriptions: { id: 'Endpoint id', status: 'Only deliveries in this status', reservation_id: "Only this reservation's events" },
    responses: [{ status: 200, description: 'A page of deliveries', schema: pageOf('WebhookDeliveryPage', WebhookDeliveryView) }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'POST',
    path: '/api/v1/webhook-endpoints/:id/deliveries/:delivery_id/redeliver',
    operationId: 'redeliverWebhook',
    summary: 'Send a delivered or failed event again (admin)',
    description:
      'Sent at once (not behind the reservation\'s other events), as a workflow of its own with the same retry policy; the delivery ' +
      'is `pending` until it is acknowledged or given up again.',
    tag: 'webhook-endpoints',
    auth: ADMIN,
    params: DeliveryParams,
    paramDescriptions: { id: 'Endpoint id', delivery_id: 'Delivery id, from the delivery log' },
    responses: [{ status: 202, description: 'Redelivery started; the delivery as it is now', schema: Delivery }],
    errors: [
      { status: 404, codes: { WEBHOOK_ENDPOINT_NOT_FOUND: 'No such endpoint, or it was deleted', WEBHOOK_DELIVERY_NOT_FOUND: 'No such delivery for this endpoint' } },
      { status: 409, codes: { WEBHOOK_DELIVERY_IN_PROGRESS: 'The delivery is still pending: it is being attempted already' } },
      VALIDATION,
    ],
  },
];
