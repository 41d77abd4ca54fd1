import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { FakeProviderCharge, FakeProviderRefund } from '../db/models';
import { isPgError, PG_FOREIGN_KEY_VIOLATION } from '../db/pgErrors';
import { PaymentNotFoundError, type ChargeRequest, type ChargeResult, type PaymentLookup, type PaymentProvider, type RefundRequest, type RefundResult } from './PaymentProvider';

/** How the fake provider answers each test payment method (API.md, "Payment methods"). */
export const FAKE_PAYMENT_METHODS = {
  pm_card_visa: 'succeeded',
  pm_card_declined: 'declined',
  pm_card_async: 'pending',
  pm_card_async_fail: 'pending',
} as const;

/** What a pending charge becomes when the provider calls back. */
const ASYNC_OUTCOMES: Partial<Record<keyof typeof FAKE_PAYMENT_METHODS, 'succeeded' | 'failed'>> = {
  pm_card_async: 'succeeded',
  pm_card_async_fail: 'failed',
};

export interface FakeProviderOptions {
  /** How long after a pending charge its webhook is due. */
  webhookDelayMs?: number;
}

type FakeMethod = keyof typeof FAKE_PAYMENT_METHODS;

const isFakeMethod = (m: string): m is FakeMethod => Object.prototype.hasOwnProperty.call(FAKE_PAYMENT_METHODS, m);
const idFor = (prefix: string, key: string) => `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

/**
 * A deterministic provider for development and tests. It keeps its own ledger in Postgres,
 * the way a real provider keeps one on its side, so tests can count charges and refunds.
 */
export class FakePaymentProvider implements PaymentProvider {
  readonly name = 'fake';

  constructor(
    private readonly knex: Knex,
    private readonly options: FakeProviderOptions = {},
  ) {}

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const outcome = isFakeMethod(req.paymentMethod) ? FAKE_PAYMENT_METHODS[req.paymentMethod] : 'declined';
    const asyncOutcome = isFakeMethod(req.paymentMethod) ? ASYNC_OUTCOMES[req.paymentMethod] : undefined;
    // The row back from the insert itself, so a new charge is one statement (knex, not the model:
    // a model insert hands back its input even when ON CONFLICT inserted nothing).
    const [inserted] = await this.knex<FakeProviderCharge>(FakeProviderCharge.tableName)
      .insert({
        id: idFor('pi_fake', req.idempotencyKey),
        idempotency_key: req.idempotencyKey,
        payment_method: req.paymentMethod,
        amount: req.amount,
        status: outcome,
        metadata: req.metadata,
        ...(asyncOutcome
          ? {
              async_outcome: asyncOutcome,
              webhook_next_at: this.knex.raw(`now() + make_interval(secs => ?)`, [(this.options.webhookDelayMs ?? 1000) / 1000]),
            }
          : {}),
      })
      .onConflict('idempotency_key')
      .ignore()
      .returning(['id', 'status']);
    // Otherwise an earlier charge with this key made it: always there.
    const row = (inserted ?? (await FakeProviderCharge.query(this.knex).findOne({ idempotency_key: req.idempotencyKey }).select('id', 'status'))) as Pick<FakeProviderCharge, 'id' | 'status'>;
    if (row.status === 'declined') {
      const reason = isFakeMethod(req.paymentMethod) ? 'Your card was declined.' : `Unsupported payment method: ${req.paymentMethod}`;
      return { status: 'declined', paymentId: row.id, reason };
    }
    return { status: row.status === 'pending' ? 'pending' : 'succeeded', paymentId: row.id };
  }

  /**
   * A pending charge settles (to its `async_outcome`) when its webhook first falls due, whether
   * or not the webhook got through: the provider knows its verdict before we are told.
   */
  async getPayment(paymentId: string): Promise<PaymentLookup> {
    const row = await FakeProviderCharge.query(this.knex)
      .findById(paymentId)
      // Judged by the database's clock, as the webhook dispatcher's `webhookDue` is.
      .select('status', 'async_outcome', this.knex.raw('(webhook_delivered_at IS NOT NULL OR webhook_attempts > 0 OR webhook_next_at <= now()) AS settled'))
      .castTo<(Pick<FakeProviderCharge, 'status' | 'async_outcome'> & { settled: boolean }) | undefined>();
    if (!row) throw new PaymentNotFoundError(paymentId);
    const status = row.status === 'pending' && row.async_outcome && row.settled ? row.async_outcome : row.status;
    if (status === 'succeeded') return { status: 'succeeded', paymentId };
    if (status === 'pending') return { status: 'pending', paymentId };
    return { status: 'failed', paymentId, failureReason: row.async_outcome === 'failed' ? 'Your card has insufficient funds.' : 'Your card was declined.' };
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    const refundId = idFor('re_fake', req.idempotencyKey);
    try {
      await FakeProviderRefund.query(this.knex)
        .insert({ id: refundId, charge_id: req.paymentId, idempotency_key: req.idempotencyKey, amount: req.amount })
        .onConflict('idempotency_key')
        .ignore();
    } catch (err) {
      // The ledger's foreign key is this provider's "No such PaymentIntent".
      if (isPgError(err, PG_FOREIGN_KEY_VIOLATION, 'fake_provider_refunds_charge_id_foreign')) throw new PaymentNotFoundError(req.paymentId);
      throw err;
    }
    return { refundId };
  }
}
