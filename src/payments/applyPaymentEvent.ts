import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Knex } from 'knex';
import { refundLatePaymentWorkflow } from '../../workflows/refundLatePayment';
import { paymentSignal } from '../../workflows/shared';
import type { Config } from '../config';
import { insertedRows } from '../db/insertedRows';
import { ProcessedWebhookEvent, Reservation } from '../db/models';
import type { Logger } from '../logger';
import type { PaymentEventOutcome } from '../metrics/outcomes';
import { fromCents } from '../money';
import { isHandledEventType, type PaymentWebhookEvent } from './paymentEvent';
import { paymentEventMismatch } from './matchPaymentEvent';
import { rejectPaymentEvent } from './rejectPaymentEvent';

export type { PaymentEventOutcome };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long a webhook waits for Temporal before answering 503 (the provider retries). */
const SIGNAL_DEADLINE_MS = 5_000;

export interface PaymentEventDeps {
  knex: Knex;
  temporal: Client;
  config: Pick<Config, 'temporal'>;
  logger: Logger;
}

/**
 * Turns a verified provider event into a signal to its reservation's workflow, exactly once:
 * the event id is recorded in the same transaction that is committed only after the signal
 * was accepted, so a failed signal is retried by the provider and a redelivery is a no-op.
 */
export async function applyPaymentEvent(deps: PaymentEventDeps, event: PaymentWebhookEvent): Promise<PaymentEventOutcome> {
  const { knex, temporal, logger } = deps;
  if (!isHandledEventType(event.type)) return 'ignored';
  const object = event.data.object;
  const reservationId = object.metadata?.reservation_id;
  const validReservationId = reservationId && UUID.test(reservationId) ? reservationId : null;

  // A failed COMMIT rejects this promise (it would not reject `await trx.commit()`), so the
  // webhook answers 5xx and the provider redelivers; the workflow ignores a signal it has seen.
  const outcome = await ProcessedWebhookEvent.transaction(knex, async (trx): Promise<PaymentEventOutcome> => {
    const recorded = await insertedRows(
      ProcessedWebhookEvent.query(trx)
        .insert({ event_id: event.id, type: event.type, reservation_id: validReservationId })
        .onConflict('event_id')
        .ignore()
        .returning('event_id'),
    );
    if (recorded.length === 0) return 'duplicate';
    const reservation = validReservationId ? await Reservation.query(trx).findById(validReservationId).select('workflow_id', 'total_price') : undefined;
    if (!validReservationId || !reservation) {
      logger.warn({ eventId: event.id, type: event.type, reservationId }, 'payment event for an unknown reservation; acknowledged');
      return 'unknown_reservation';
    }
    const mismatch = await paymentEventMismatch(trx, event, validReservationId);
    if (mismatch) {
      await rejectPaymentEvent(trx, temporal, event, reservation.workflow_id, mismatch);
      logger.warn({ eventId: event.id, type: event.type, reservationId, paymentId: object.id, reason: mismatch }, 'payment event rejected; nothing changed');
      return 'rejected';
    }
    const succeeded = event.type === 'payment_intent.succeeded';
    const amount = object.amount !== undefined ? fromCents(object.amount) : undefined;
    let applied: PaymentEventOutcome = 'applied';
    await temporal.connection.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, async () => {
      try {
        await temporal.workflow.getHandle(reservation.workflow_id).signal(paymentSignal, {
          event_id: event.id,
          type: event.type as 'payment_intent.succeeded' | 'payment_intent.payment_failed',
          payment_id: object.id,
          amount,
          failure_reason: object.last_payment_error?.message ?? undefined,
        });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // The reservation's workflow has ended; money that arrives now goes back.
        if (!succeeded) return;
        applied = 'refunding_late_payment';
        await temporal.workflow
          .start(refundLatePaymentWorkflow, {
            workflowId: `refund-${object.id}`,
            taskQueue: deps.config.temporal.taskQueue,
            args: [{ reservationId: validReservationId, paymentId: object.id, amount: amount ?? reservation.total_price }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          })
          .catch((startErr: unknown) => {
            if (!(startErr instanceof WorkflowExecutionAlreadyStartedError)) throw startErr;
          });
      }
    });
    return applied;
  });
  if (outcome === 'applied' || outcome === 'refunding_late_payment') {
    logger.info({ eventId: event.id, type: event.type, reservationId, outcome }, 'payment event applied');
  }
  return outcome;
}
