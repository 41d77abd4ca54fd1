import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from '../src/db/models';
import { renderEventBody } from '../src/webhooks/eventBody';
import { sendWebhook } from '../src/webhooks/send';
import { FailureType } from '../workflows/failures';
import { webhookDeliveryWorkflowId, type WebhookDeliveryOutcome, type WebhookRetryPolicy } from '../workflows/webhookShared';

/** What the worker's config says about sending (the rest of the policy travels in the workflow's input). */
export interface WebhookSendingOptions {
  allowPrivateTargets: boolean;
}

export interface WebhookDeliveryKey {
  endpointId: number;
  eventId: string;
}

const ERROR_LENGTH = 500;

/** When Temporal will try again after attempt `attempt` failed (its retry policy, as configured). */
const nextAttemptAt = (retry: WebhookRetryPolicy, attempt: number) =>
  new Date(Date.now() + Math.min(retry.maximumIntervalMs, retry.initialIntervalMs * 2 ** (attempt - 1)));

export function createWebhookActivities(knex: Knex, options: WebhookSendingOptions) {
  const deliveryOf = (key: WebhookDeliveryKey) => WebhookDelivery.query(knex).findOne({ endpoint_id: key.endpointId, event_id: key.eventId });

  return {
    /**
     * True while an earlier event of the same reservation is still owed to this endpoint: its
     * delivery is pending, or it has none yet because it is not dispatched yet.
     */
    async earlierWebhookEventsPending(key: WebhookDeliveryKey): Promise<boolean> {
      const { rows } = await knex.raw<{ rows: { pending: boolean }[] }>(
        // One EXISTS over the (reservation_id, sequence) index: clearer as SQL than as a model query.
        `SELECT EXISTS (
                  SELECT 1 FROM webhook_events e
                    JOIN webhook_endpoints ep ON ep.id = ? AND e.type = ANY(ep.events)
                    LEFT JOIN webhook_deliveries d ON d.event_id = e.id AND d.endpoint_id = ep.id
                   WHERE e.reservation_id = me.reservation_id AND e.sequence < me.sequence
                     AND (d.status = 'pending' OR (d.id IS NULL AND e.dispatched_at IS NULL))) AS pending
           FROM webhook_events me WHERE me.id = ?`,
        [key.endpointId, key.eventId],
      );
      return rows[0]?.pending ?? false;
    },

    /**
     * One attempt: renders the event, signs it with the endpoint's secret, POSTs it and writes
     * the outcome to the delivery log. Throws (retryably) when the receiver did not acknowledge.
     */
    async sendWebhookEvent(input: WebhookDeliveryKey & { retry: WebhookRetryPolicy }): Promise<WebhookDeliveryOutcome> {
      const delivery = await deliveryOf(input);
      // The dispatcher writes the row before it starts this workflow; missing means its transaction is being retried.
      if (!delivery) throw ApplicationFailure.retryable(`no delivery row for ${input.eventId} to endpoint ${input.endpointId} yet`, FailureType.WebhookDeliveryMissing);
      const endpoint = await WebhookEndpoint.query(knex).findById(input.endpointId);
      if (!endpoint || endpoint.is_deleted) {
        await delivery.$query(knex).patch({ status: 'failed', last_error: 'endpoint deleted', next_attempt_at: null });
        return 'failed';
      }
      const event = await WebhookEvent.query(knex).findById(input.eventId).throwIfNotFound();
      const body = await renderEventBody(knex, event);
      const attempt = Context.current().info.attempt;
      const result = await sendWebhook(endpoint.url, event.id, body, endpoint.secret, {
        refusePrivateTargets: !options.allowPrivateTargets,
        timeoutMs: input.retry.attemptTimeoutMs,
      });
      const common = { attempts: delivery.attempts + 1, last_attempt_at: new Date(), last_status_code: result.statusCode };
      if (result.ok) {
        await delivery.$query(knex).patch({ ...common, status: 'delivered', delivered_at: new Date(), last_error: null, next_attempt_at: null });
        return 'delivered';
      }
      const error = result.error.slice(0, ERROR_LENGTH);
      if (result.permanent) {
        await delivery.$query(knex).patch({ ...common, status: 'failed', last_error: error, next_attempt_at: null });
        return 'failed';
      }
      await delivery.$query(knex).patch({ ...common, last_error: error, next_attempt_at: nextAttemptAt(input.retry, attempt) });
      throw ApplicationFailure.retryable(`endpoint ${endpoint.id} did not acknowledge ${event.id}: ${error}`, FailureType.WebhookNotAcknowledged);
    },

    /**
     * The retry policy ran out (WEBHOOK_GIVE_UP_AFTER_SECONDS): the delivery is failed, and later
     * events go on. The last attempt's error stays; `error` (why Temporal stopped) only fills a gap.
     */
    async giveUpWebhookDelivery(input: WebhookDeliveryKey & { error: string }): Promise<void> {
      await WebhookDelivery.query(knex)
        .where({ endpoint_id: input.endpointId, event_id: input.eventId })
        .modify('pending')
        .patch({ status: 'failed', next_attempt_at: null, last_error: knex.raw('coalesce(last_error, ?)', [input.error.slice(0, ERROR_LENGTH)]) });
    },

    /** Workflow ids of this endpoint's pending deliveries of the same reservation's later events, to wake them. */
    async laterWebhookDeliveries(key: WebhookDeliveryKey): Promise<string[]> {
      const rows = await WebhookDelivery.query(knex)
        .joinRelated('event')
        .join('webhook_events as me', 'me.reservation_id', 'event.reservation_id')
        .where('me.id', key.eventId)
        .where('webhook_deliveries.endpoint_id', key.endpointId)
        .modify('pending')
        .whereRaw('event.sequence > me.sequence')
        .orderBy('event.sequence')
        .select('webhook_deliveries.event_id');
      return rows.map((r) => webhookDeliveryWorkflowId(key.endpointId, r.event_id));
    },
  };
}
