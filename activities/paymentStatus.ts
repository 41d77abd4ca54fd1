import { ApplicationFailure } from '@temporalio/common';
import { PaymentNotFoundError, type PaymentProvider } from '../src/payments/PaymentProvider';
import { FailureType } from '../workflows/failures';
import type { PaymentVerdict } from '../workflows/shared';

export interface PaymentStatus {
  status: PaymentVerdict;
  /** The provider's reason for a failed payment. */
  failureReason: string | null;
}

/** Asking the provider about a payment, for the verdicts its webhook has not delivered (yet). */
export function createPaymentStatusActivities(provider: PaymentProvider) {
  return {
    /** The payment's status at the provider now; a payment it does not know fails for good. */
    async askPaymentStatus(paymentId: string): Promise<PaymentStatus> {
      try {
        const payment = await provider.getPayment(paymentId);
        return { status: payment.status, failureReason: payment.status === 'failed' ? payment.failureReason : null };
      } catch (err) {
        if (!(err instanceof PaymentNotFoundError)) throw err;
        throw ApplicationFailure.create({ message: err.message, type: FailureType.PaymentNotFound, nonRetryable: true, details: [{ payment_id: paymentId }] });
      }
    },
  };
}
