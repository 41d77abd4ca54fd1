import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Knex } from 'knex';
import { paymentRejectedSignal, type PaymentRejectionReason } from '../../workflows/shared';
import { ProcessedWebhookEvent } from '../db/models';
import type { PaymentWebhookEvent } from './paymentEvent';

/** How long a webhook waits for Temporal before answering 503 (the provider retries). */
const SIGNAL_DEADLINE_MS = 5_000;

/**
 * Records a refused event on its processed_webhook_events row (so a redelivery is a duplicate,
 * not a second rejection) and tells the reservation it named, whose `state` query shows it.
 * Nothing else changes: no confirm, no refund.
 */
export async function rejectPaymentEvent(
  trx: Knex.Transaction,
  temporal: Client,
  event: PaymentWebhookEvent,
  workflowId: string,
  reason: PaymentRejectionReason,
): Promise<void> {
  const paymentId = event.data.object.id;
  await ProcessedWebhookEvent.query(trx)
    .findById(event.id)
    .patch({ outcome: 'rejected', rejection_reason: reason, payment_id: paymentId, updated_at: trx.fn.now() });
  await temporal.connection.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, async () => {
    try {
      await temporal.workflow.getHandle(workflowId).signal(paymentRejectedSignal, { event_id: event.id, payment_id: paymentId, reason });
    } catch (err) {
      // A reservation whose workflow has ended has no live state to show it in; the row and the log do.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  });
}
