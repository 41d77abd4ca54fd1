import type { ChargeRequest, ChargeResult, PaymentLookup, PaymentProvider, RefundRequest, RefundResult } from '../../src/payments/PaymentProvider';

/**
 * A real provider that runs a test's trip wire in the middle of each call: the moment the
 * workflow is busy inside a confirm or cancel Update, which is where a fault test strikes.
 */
export class TrippedPaymentProvider implements PaymentProvider {
  readonly name = 'fake';
  /** Runs once, during the next charge or refund, then disarms. */
  trip: (() => Promise<void> | void) | undefined;

  constructor(private readonly inner: PaymentProvider) {}

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const result = await this.inner.charge(req);
    await this.fire();
    return result;
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    const result = await this.inner.refund(req);
    await this.fire();
    return result;
  }

  getPayment(paymentId: string): Promise<PaymentLookup> {
    return this.inner.getPayment(paymentId);
  }

  private async fire(): Promise<void> {
    const trip = this.trip;
    this.trip = undefined;
    await trip?.();
  }
}
