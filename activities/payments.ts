import type { Knex } from 'knex';
import { ApplicationFailure } from '@temporalio/common';
import { Payment, type PaymentStatus } from '../src/db/models';
import { PaymentNotFoundError, type PaymentProvider } from '../src/payments/PaymentProvider';
import { FailureType } from '../workflows/failures';

export interface ChargeInput {
  reservationId: string;
  amount: string;
  paymentMethod: string;
  idempotencyKey: string;
}

export interface ChargeOutcome {
  status: 'succeeded' | 'pending';
  paymentId: string;
}

export interface RefundInput {
  reservationId: string;
  paymentId: string;
  amount: string;
  idempotencyKey: string;
}

/** Payment activities: the provider call, keyed for idempotency, and our own record of it. */
export function createPaymentActivities(knex: Knex, provider: PaymentProvider, currency = 'eur') {
  async function record(input: ChargeInput, paymentId: string, status: PaymentStatus, failureReason: string | null) {
    await Payment.query(knex)
      .insert({
        reservation_id: input.reservationId,
        provider: provider.name,
        provider_payment_id: paymentId,
        idempotency_key: input.idempotencyKey,
        payment_method: input.paymentMethod,
        amount: input.amount,
        currency,
        status,
        failure_reason: failureReason,
      })
      .onConflict('idempotency_key')
      .merge(['provider_payment_id', 'status', 'failure_reason', 'updated_at']);
  }

  return {
    /** Charges the reservation's total. A decline is a business outcome: not retried. */
    async chargePayment(input: ChargeInput): Promise<ChargeOutcome> {
      const result = await provider.charge({
        amount: input.amount,
        currency,
        paymentMethod: input.paymentMethod,
        idempotencyKey: input.idempotencyKey,
        metadata: { reservation_id: input.reservationId },
      });
      if (result.status === 'declined') {
        await record(input, result.paymentId, 'failed', result.reason);
        throw ApplicationFailure.create({
          message: result.reason,
          type: FailureType.PaymentDeclined,
          nonRetryable: true,
          details: [{ payment_id: result.paymentId }],
        });
      }
      await record(input, result.paymentId, result.status, null);
      return { status: result.status, paymentId: result.paymentId };
    },

    /** Records the provider's asynchronous verdict on a pending payment. */
    async recordPaymentOutcome(paymentId: string, status: 'succeeded' | 'failed', failureReason?: string): Promise<void> {
      await Payment.query(knex)
        .modify('ofProviderPayment', paymentId)
        .patch({ status, failure_reason: failureReason ?? null, updated_at: knex.fn.now() });
    },

    /** Gives money back, only ever for a payment we made; a payment the provider does not know fails for good. */
    async refundPayment(input: RefundInput): Promise<string> {
      const ours = await Payment.query(knex).modify('ofProviderPayment', input.paymentId).select('id').first();
      if (!ours) {
        throw ApplicationFailure.create({
          message: `Payment ${input.paymentId} was not made by us; it is not refunded`,
          type: FailureType.PaymentNotFound,
          nonRetryable: true,
          details: [{ payment_id: input.paymentId }],
        });
      }
      let refundId: string;
      try {
        ({ refundId } = await provider.refund({ paymentId: input.paymentId, amount: input.amount, idempotencyKey: input.idempotencyKey }));
      } catch (err) {
        if (!(err instanceof PaymentNotFoundError)) throw err;
        throw ApplicationFailure.create({ message: err.message, type: FailureType.PaymentNotFound, nonRetryable: true, details: [{ payment_id: input.paymentId }] });
      }
      await Payment.query(knex)
        .modify('ofProviderPayment', input.paymentId)
        .patch({ status: 'refunded', refunded_amount: input.amount, updated_at: knex.fn.now() });
      return refundId;
    },
  };
}
