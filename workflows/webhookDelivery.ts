import { ActivityFailure, condition, getExternalWorkflowHandle, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  earlierEventSettledSignal,
  webhookDeliveryStateQuery,
  type WebhookDeliveryInput,
  type WebhookDeliveryOutcome,
  type WebhookDeliveryState,
} from './webhookShared';

const db = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/**
 * Between checks for earlier events while no signal came: a fallback (a missed signal costs at
 * most this), capped so that waiting 3 days behind a failing receiver stays a short history.
 */
const FIRST_RECHECK_MS = 1_000;
const LAST_RECHECK_MS = 10 * 60_000;

/**
 * Delivers one event to one endpoint, at least once and in order per reservation:
 * 1. (ordered) waits until the endpoint has settled every earlier event of the same reservation,
 *    woken by their workflows' signal and, should one be missed, by a durable recheck timer;
 * 2. sends it, retried by the activity's retry policy with exponential backoff until the receiver
 *    answers 2xx or the policy's schedule-to-close (3 days by default) runs out, then gives up;
 * 3. wakes the endpoint's deliveries of that reservation's later events.
 * Workflow id `webhook-<endpoint id>-<event id>`, so a second dispatch of the same event is refused.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryOutcome> {
  const key = { endpointId: input.endpointId, eventId: input.eventId };
  const state: WebhookDeliveryState = { phase: 'waiting_for_earlier_events', endpoint_id: input.endpointId, event_id: input.eventId };
  let woken = false;
  setHandler(earlierEventSettledSignal, () => {
    woken = true;
  });
  setHandler(webhookDeliveryStateQuery, () => state);

  if (input.ordered) {
    let recheckMs = FIRST_RECHECK_MS;
    while (await db.earlierWebhookEventsPending(key)) {
      woken = false;
      await condition(() => woken, recheckMs);
      recheckMs = Math.min(recheckMs * 2, LAST_RECHECK_MS);
    }
  }

  state.phase = 'sending';
  const sending = proxyActivities<Activities>({
    startToCloseTimeout: input.retry.attemptTimeoutMs + 10_000,
    scheduleToCloseTimeout: input.retry.giveUpAfterMs,
    retry: { initialInterval: input.retry.initialIntervalMs, backoffCoefficient: 2, maximumInterval: input.retry.maximumIntervalMs },
  });
  let outcome: WebhookDeliveryOutcome;
  try {
    outcome = await sending.sendWebhookEvent({ ...key, retry: input.retry });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = err.cause?.message ?? err.message;
    log.warn('webhook delivery given up', { ...key, error });
    await db.giveUpWebhookDelivery({ ...key, error });
    outcome = 'failed';
  }
  state.phase = outcome;

  for (const workflowId of await db.laterWebhookDeliveries(key)) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(earlierEventSettledSignal);
    } catch {
      // Not started yet (it checks the log when it starts) or already over: nothing to wake.
    }
  }
  return outcome;
}
