/**
 * The outbound-webhook delivery workflow's contract, shared by the workflow, its activities, the
 * dispatcher and the API: ids, messages and the types they carry.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** One delivery workflow per (endpoint, event): a second start for the same pair is refused, so a re-dispatch is harmless. */
export const webhookDeliveryWorkflowId = (endpointId: number, eventId: string): string => `webhook-${endpointId}-${eventId}`;
/** An admin's redelivery n of a delivery: a workflow of its own, started once per request. */
export const webhookRedeliveryWorkflowId = (deliveryId: number, redelivery: number): string => `webhook-redelivery-${deliveryId}-${redelivery}`;

/** How long and how often a delivery is retried; from the worker's config, fixed at start. */
export interface WebhookRetryPolicy {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** From the first attempt until the delivery is given up (3 days by default). */
  giveUpAfterMs: number;
  /** One HTTP attempt's limit. */
  attemptTimeoutMs: number;
}

export interface WebhookDeliveryInput {
  endpointId: number;
  eventId: string;
  retry: WebhookRetryPolicy;
  /**
   * Wait until the endpoint has settled (delivered or given up) every earlier event of the same
   * reservation. False for an admin's redelivery, which is sent at once.
   */
  ordered: boolean;
}

export type WebhookDeliveryOutcome = 'delivered' | 'failed';

export interface WebhookDeliveryState {
  phase: 'waiting_for_earlier_events' | 'sending' | WebhookDeliveryOutcome;
  endpoint_id: number;
  event_id: string;
}

/** Sent by a settled delivery to the ones of the same endpoint and reservation that wait for it. */
export const earlierEventSettledSignal = defineSignal('earlierEventSettled');
export const webhookDeliveryStateQuery = defineQuery<WebhookDeliveryState>('state');
