import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { refundPayment } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
});

export interface LatePaymentRefundInput {
  reservationId: string;
  paymentId: string;
  amount: string;
}

/**
 * Gives back money that arrived after its reservation's workflow had already ended (expired or
 * cancelled long ago): the booking must not come back, and the customer must not pay for nothing.
 * Its workflow id is `refund-<paymentId>`, so a redelivered event refunds once.
 */
export async function refundLatePaymentWorkflow(input: LatePaymentRefundInput): Promise<string> {
  return refundPayment({ ...input, idempotencyKey: `${input.reservationId}:refund:${input.paymentId}` });
}
