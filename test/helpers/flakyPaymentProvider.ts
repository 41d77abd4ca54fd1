import type { ChargeRequest, ChargeResult, PaymentLookup, PaymentProvider, RefundRequest, RefundResult } from '../../src/payments/PaymentProvider';

/**
 * A real provider behind a flaky network. `before-charge`: the call fails before the provider
 * did anything (connection refused). `after-charge`: the provider charged but its answer was
 * lost (a time-out), so only the idempotency key prevents a second charge.
 */
export class FlakyPaymentProvider implements PaymentProvider {
  readonly name = 'fake';
  failuresLeft = 0;
  calls = 0;

  constructor(
    private readonly inner: PaymentProvider,
    private readonly mode: 'before-charge' | 'after-charge',
  ) {}

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    this.calls += 1;
    if (this.mode === 'before-charge' && this.takeFailure()) {
      throw Object.assign(new Error('connect ECONNREFUSED: the payment provider is unreachable'), { code: 'ECONNREFUSED' });
    }
    const result = await this.inner.charge(req);
    if (this.mode === 'after-charge' && this.takeFailure()) {
      throw Object.assign(new Error('socket hang up: the provider did not answer in time'), { code: 'ECONNRESET' });
    }
    return result;
  }

  refund(req: RefundRequest): Promise<RefundResult> {
    return this.inner.refund(req);
  }

  getPayment(paymentId: string): Promise<PaymentLookup> {
    return this.inner.getPayment(paymentId);
  }

  private takeFailure(): boolean {
    if (this.failuresLeft <= 0) return false;
    this.failuresLeft -= 1;
    return true;
  }
}
