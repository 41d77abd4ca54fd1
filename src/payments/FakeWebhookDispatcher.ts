import type { Knex } from 'knex';
import { FakeProviderCharge } from '../db/models';
import type { Logger } from '../logger';
import { toCents } from '../money';
import { signWebhookPayload } from './webhookSignature';

export interface DispatcherOptions {
  /** The API's webhook endpoint, e.g. http://127.0.0.1:3000/api/v1/webhooks/payments */
  url: string;
  secret: string;
  pollMs?: number;
  logger?: Logger;
}

/** A claimed delivery: a charge whose asynchronous outcome is owed. */
type DueCharge = Pick<FakeProviderCharge, 'id' | 'amount' | 'metadata' | 'webhook_attempts'> & { async_outcome: 'succeeded' | 'failed' };

/** A claimed delivery is invisible to other dispatchers for this long (one HTTP attempt and then some). */
const CLAIM_SECONDS = 30;
const REQUEST_TIMEOUT_MS = 5_000;
const backoffSeconds = (attempt: number) => Math.min(60, 0.5 * 2 ** Math.max(0, attempt - 1));

/**
 * The fake provider's webhook sender: delivers each pending charge's outcome as a signed
 * Stripe-compatible event over HTTP, retrying with backoff until the API answers 2xx, as real
 * providers do. State lives in Postgres, so several workers and restarts deliver each event.
 */
export class FakeWebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.deliverDue()
        .then(
          () => undefined,
          (err: unknown) => this.options.logger?.warn({ err }, 'fake webhook delivery round failed'),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.pollMs ?? 200);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Sends every delivery that is due; returns how many were acknowledged. */
  async deliverDue(): Promise<number> {
    // Claimed in one statement; SKIP LOCKED lets several dispatchers share the work without waiting on each other.
    const rows = await FakeProviderCharge.query(this.knex)
      .patch({ webhook_next_at: this.knex.raw('now() + make_interval(secs => ?)', [CLAIM_SECONDS]), webhook_attempts: this.knex.raw('webhook_attempts + 1') })
      .whereIn('id', FakeProviderCharge.query(this.knex).modify('webhookDue').select('id').orderBy('webhook_next_at').limit(20).forUpdate().skipLocked())
      .returning(['id', 'amount', 'async_outcome', 'metadata', 'webhook_attempts'])
      .castTo<DueCharge[]>();
    const results = await Promise.all(rows.map((charge) => this.deliver(charge)));
    return results.filter(Boolean).length;
  }

  private async deliver(charge: DueCharge): Promise<boolean> {
    const succeeded = charge.async_outcome === 'succeeded';
    const body = JSON.stringify({
      id: `evt_${charge.id}`,
      type: succeeded ? 'payment_intent.succeeded' : 'payment_intent.payment_failed',
      data: {
        object: {
          id: charge.id,
          amount: toCents(charge.amount),
          currency: 'eur',
          metadata: charge.metadata,
          last_payment_error: succeeded ? null : { message: 'Your card has insufficient funds.' },
        },
      },
    });
    let error: string;
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signWebhookPayload(body, this.options.secret) },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.ok) {
        await FakeProviderCharge.query(this.knex)
          .findById(charge.id)
          .patch({ webhook_delivered_at: this.knex.fn.now(), status: charge.async_outcome, webhook_last_error: null, updated_at: this.knex.fn.now() });
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await FakeProviderCharge.query(this.knex)
      .findById(charge.id)
      .patch({
        webhook_next_at: this.knex.raw('now() + make_interval(secs => ?)', [backoffSeconds(charge.webhook_attempts)]),
        webhook_last_error: error.slice(0, 500),
      });
    this.options.logger?.info({ chargeId: charge.id, attempt: charge.webhook_attempts, error }, 'fake webhook not acknowledged; will retry');
    return false;
  }
}
