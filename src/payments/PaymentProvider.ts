/** What the reservation workflow needs from a payment provider; one adapter per provider. */
export interface ChargeRequest {
  /** Decimal string, e.g. "25.00". */
  amount: string;
  currency: string;
  paymentMethod: string;
  /** The same key always yields the same charge: retries never charge twice. */
  idempotencyKey: string;
  metadata: { reservation_id: string };
}

export type ChargeResult =
  | { status: 'succeeded'; paymentId: string }
  | { status: 'pending'; paymentId: string }
  | { status: 'declined'; paymentId: string; reason: string };

export interface RefundRequest {
  paymentId: string;
  amount: string;
  idempotencyKey: string;
}

export interface RefundResult {
  refundId: string;
}

/** A payment as the provider sees it now: settled either way, or still waiting. */
export type PaymentLookup =
  | { status: 'succeeded'; paymentId: string }
  | { status: 'pending'; paymentId: string }
  | { status: 'failed'; paymentId: string; failureReason: string };

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /** Asks for a payment's status (throws PaymentNotFoundError for one the provider does not know). */
  getPayment(paymentId: string): Promise<PaymentLookup>;
}

/**
 * The provider has no such payment (Stripe: `resource_missing`, "No such PaymentIntent"). Permanent:
 * asking again cannot make it exist, so the refund activity does not retry it.
 */
export class PaymentNotFoundError extends Error {
  constructor(readonly paymentId: string) {
    super(`The payment provider has no payment ${paymentId}`);
    this.name = 'PaymentNotFoundError';
  }
}
