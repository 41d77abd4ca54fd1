import Stripe from 'stripe';
import { toCents } from '../money';
import { PaymentNotFoundError, type ChargeRequest, type ChargeResult, type PaymentLookup, type PaymentProvider, type RefundRequest, type RefundResult } from './PaymentProvider';

/**
 * Stripe behind the provider interface: PaymentIntents confirmed at once with the workflow's
 * idempotency key, so a retried activity never charges twice. Asynchronous methods come back
 * as `processing`/`requires_action` and finish by webhook, like the fake's pm_card_async.
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe';

  constructor(private readonly stripe: Stripe) {}

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: toCents(req.amount),
          currency: req.currency,
          payment_method: req.paymentMethod,
          confirm: true,
          metadata: req.metadata,
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      switch (intent.status) {
        case 'succeeded':
          return { status: 'succeeded', paymentId: intent.id };
        case 'processing':
        case 'requires_action':
        case 'requires_capture':
          return { status: 'pending', paymentId: intent.id };
        default:
          return {
            status: 'declined',
            paymentId: intent.id,
            reason: intent.last_payment_error?.message ?? `The payment was not completed (${intent.status}).`,
          };
      }
    } catch (err) {
      // A card error is the customer's answer; anything else (network, 5xx, rate limit) is retried.
      if (err instanceof Stripe.errors.StripeCardError) {
        return { status: 'declined', paymentId: err.payment_intent?.id ?? '', reason: err.message };
      }
      throw err;
    }
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: req.paymentId, amount: toCents(req.amount) },
        { idempotencyKey: req.idempotencyKey },
      );
      return { refundId: refund.id };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') throw new PaymentNotFoundError(req.paymentId);
      throw err;
    }
  }

  /**
   * The PaymentIntent's status now: `succeeded`; still `processing` (or waiting for the customer
   * or a capture) is pending; sent back for another payment method or `canceled` has failed.
   */
  async getPayment(paymentId: string): Promise<PaymentLookup> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.retrieve(paymentId);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing') throw new PaymentNotFoundError(paymentId);
      throw err;
    }
    switch (intent.status) {
      case 'succeeded':
        return { status: 'succeeded', paymentId: intent.id };
      case 'requires_payment_method':
      case 'canceled':
        return { status: 'failed', paymentId: intent.id, failureReason: intent.last_payment_error?.message ?? `The payment was not completed (${intent.status}).` };
      default:
        return { status: 'pending', paymentId: intent.id };
    }
  }
}
