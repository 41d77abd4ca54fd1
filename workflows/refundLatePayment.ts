import { ActivityFailure, ApplicationFailure, defineQuery, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { FailureType } from './failures';

const { refundPayment } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

export interface LatePaymentRefundInput {
  reservationId: string;
  paymentId: string;
  amount: string;
}

export interface RefundState {
  status: 'refunding' | 'refunded' | 'failed';
  payment_id: string;
  amount: string;
  refund_id: string | null;
  /** The provider's permanent refusal (failure type `PaymentNotFound`), for an operator to settle by hand. */
  error: string | null;
}

export const refundStateQuery = defineQuery<RefundState>('state');

/** Workflow ids of refunds: one per payment, so a second request for the same money refunds once. */
export const refundWorkflowId = (paymentId: string): string => `refund-${paymentId}`;

/**
 * Gives back money that should not have been taken: a payment that arrived after its hold had
 * ended, or one the hold did not expect. It runs apart from the reservation's workflow, so a
 * provider that is down (retried for as long as it takes) never holds up a hold's expiry; a
 * permanent refusal fails this workflow (`ExecutionStatus="Failed"` in the Web UI) with type
 * `PaymentNotFound`. Its workflow id is `refund-<paymentId>`, so a redelivered event refunds once.
 */
export async function refundLatePaymentWorkflow(input: LatePaymentRefundInput): Promise<string> {
  const state: RefundState = { status: 'refunding', payment_id: input.paymentId, amount: input.amount, refund_id: null, error: null };
  setHandler(refundStateQuery, () => state);
  try {
    state.refund_id = await refundPayment({ ...input, idempotencyKey: `${input.reservationId}:refund:${input.paymentId}` });
    state.status = 'refunded';
    return state.refund_id;
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.PaymentNotFound) throw err;
    state.status = 'failed';
    state.error = cause.message;
    log.error('refund refused for good by the payment provider; settle it by hand', { ...input, error: cause.message });
    throw ApplicationFailure.create({ message: cause.message, type: FailureType.PaymentNotFound, nonRetryable: true, details: [{ payment_id: input.paymentId }] });
  }
}
