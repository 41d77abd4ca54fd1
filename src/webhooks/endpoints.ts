import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { listPage, type PageWindow } from '../db/listPage';
import { WebhookDelivery, WebhookEndpoint } from '../db/models';
import { ApiError, conflict, notFound } from '../http/errors';
import type { WebhookConfig } from '../config';
import { webhookDeliveryWorkflow } from '../../workflows/webhookDelivery';
import { webhookRedeliveryWorkflowId } from '../../workflows/webhookShared';
import { retryPolicyOf } from './dispatcher';
import type { WebhookEventType } from './eventTypes';
import { assertPublicTarget, UnsafeTargetError, type Resolve } from './targetGuard';

export interface NewEndpoint {
  url: string;
  events: WebhookEventType[];
  description?: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The API's view of an endpoint; never its secret (given once, by createEndpoint). */
export const serializeEndpoint = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  description: e.description,
  created_at: new Date(e.created_at).toISOString(),
  updated_at: new Date(e.updated_at).toISOString(),
});

/** A delivery log row with its event's type, reservation and place in the reservation's order. */
export type DeliveryRow = WebhookDelivery & { type: WebhookEventType; reservation_id: string; sequence: number };

export const serializeDelivery = (d: DeliveryRow) => ({
  id: d.id,
  endpoint_id: d.endpoint_id,
  event_id: d.event_id,
  event_type: d.type,
  reservation_id: d.reservation_id,
  sequence: d.sequence,
  status: d.status,
  attempts: d.attempts,
  redeliveries: d.redeliveries,
  last_status_code: d.last_status_code,
  last_error: d.last_error,
  last_attempt_at: iso(d.last_attempt_at),
  next_attempt_at: iso(d.next_attempt_at),
  delivered_at: iso(d.delivered_at),
  created_at: iso(d.created_at),
});

const notFoundEndpoint = () => notFound('WEBHOOK_ENDPOINT_NOT_FOUND', 'No such webhook endpoint, or it was deleted');

/** `whsec_` and 32 random bytes, as Stripe's signing secrets look. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Creates an endpoint and returns it with its signing secret, which is never shown again.
 * With private targets refused, a URL whose host is or resolves to a loopback, link-local or
 * private address is refused (422); each delivery checks again, on the address it connects to.
 */
export async function createEndpoint(
  knex: Knex,
  input: NewEndpoint,
  createdBy: number,
  guard: Pick<WebhookConfig, 'allowPrivateTargets'>,
  resolve?: Resolve,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  if (!guard.allowPrivateTargets) {
    try {
      await assertPublicTarget(input.url, resolve);
    } catch (err) {
      if (!(err instanceof UnsafeTargetError)) throw err;
      throw new ApiError(422, 'UNSAFE_WEBHOOK_TARGET', `url: ${err.message}; webhooks go to public addresses only`, {
        errors: [{ location: 'body', field: 'url', message: err.message, code: 'unsafe_target' }],
      });
    }
  }
  const secret = newSecret();
  const endpoint = await WebhookEndpoint.query(knex).insertAndFetch({
    url: input.url,
    events: [...new Set(input.events)],
    description: input.description ?? null,
    secret,
    created_by: createdBy,
  });
  return { endpoint, secret };
}

export async function listEndpoints(knex: Knex, page: PageWindow) {
  const { rows: endpoints, total } = await listPage(WebhookEndpoint.query(knex).modify('live'), page, (q) => q.orderBy('id'));
  return { endpoints, total };
}

export async function findEndpoint(knex: Knex, id: number): Promise<WebhookEndpoint> {
  const endpoint = await WebhookEndpoint.query(knex).modify('live').findById(id);
  if (!endpoint) throw notFoundEndpoint();
  return endpoint;
}

/** Soft delete: nothing more is sent to it (pending deliveries end `failed`), its log stays in the database. */
export async function deleteEndpoint(knex: Knex, id: number): Promise<void> {
  const changed = await WebhookEndpoint.query(knex).modify('live').findById(id).patch({ is_deleted: true });
  if (!changed) throw notFoundEndpoint();
}

const deliveriesOf = (knex: Knex, endpointId: number) =>
  WebhookDelivery.query(knex)
    .joinRelated('event')
    .where('webhook_deliveries.endpoint_id', endpointId)
    .select('webhook_deliveries.*', 'event.type', 'event.reservation_id', 'event.sequence');

/** The endpoint's delivery log, newest first. */
export async function listDeliveries(knex: Knex, endpointId: number, filter: PageWindow & { status?: string; reservation_id?: string }) {
  await findEndpoint(knex, endpointId);
  const query = deliveriesOf(knex, endpointId);
  if (filter.status) query.where('webhook_deliveries.status', filter.status);
  if (filter.reservation_id) query.where('event.reservation_id', filter.reservation_id);
  const { rows, total } = await listPage(query, filter, (q) => q.orderBy('webhook_deliveries.id', 'desc').castTo<DeliveryRow[]>());
  return { deliveries: rows, total };
}

/**
 * Sends a delivered or failed event again, at once (not behind the reservation's other events:
 * an admin asked for this one), with the same retry policy. The row goes back to `pending` and
 * the workflow is started in the same transaction, so a failed start changes nothing (503).
 */
export async function redeliver(
  knex: Knex,
  temporal: Client,
  config: { webhooks: WebhookConfig; taskQueue: string },
  endpointId: number,
  deliveryId: number,
): Promise<DeliveryRow> {
  await findEndpoint(knex, endpointId);
  return WebhookDelivery.transaction(knex, async (trx) => {
    const delivery = await WebhookDelivery.query(trx).findOne({ id: deliveryId, endpoint_id: endpointId }).forUpdate();
    if (!delivery) throw notFound('WEBHOOK_DELIVERY_NOT_FOUND', 'No such delivery for this endpoint');
    if (delivery.status === 'pending') {
      throw conflict('WEBHOOK_DELIVERY_IN_PROGRESS', 'This delivery is still being attempted; redeliver it once it was delivered or given up');
    }
    const redeliveries = delivery.redeliveries + 1;
    await delivery.$query(trx).patch({ status: 'pending', redeliveries, next_attempt_at: new Date() });
    await temporal.workflow.start(webhookDeliveryWorkflow, {
      workflowId: webhookRedeliveryWorkflowId(delivery.id, redeliveries),
      taskQueue: config.taskQueue,
      args: [{ endpointId, eventId: delivery.event_id, retry: retryPolicyOf(config.webhooks), ordered: false }],
    });
    return (await deliveriesOf(trx, endpointId).findOne({ 'webhook_deliveries.id': deliveryId })) as DeliveryRow;
  });
}
