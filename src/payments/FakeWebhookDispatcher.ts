import type { Knex } from 'knex';
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

interface DueCharge {
  id: string;
  amount: string;
  async_outcome: 'succeeded' | 'failed';
  metadata: { reservation_id?: string };
  webhook_attempts: number;
}

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
    const { rows } = await this.knex.raw<{ rows: DueCharge[] }>(
      `UPDATE fake_provider_charges
          SET webhook_next_at = now() + make_interval(secs => ?), webhook_attempts = webhook_attempts + 1
        WHERE id IN (SELECT id FROM fake_provider_charges
                      WHERE async_outcome IS NOT NULL AND webhook_delivered_at IS NULL AND webhook_next_at <= now()
                      ORDER BY webhook_next_at LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING id, amount, async_outcome, metadata, webhook_attempts`,
      [CLAIM_SECONDS],
    );
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
        await this.knex('fake_provider_charges')
          .where({ id: charge.id })
          .update({ webhook_delivered_at: this.knex.fn.now(), status: charge.async_outcome, webhook_last_error: null, updated_at: this.knex.fn.now() });
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    await this.knex('fake_provider_charges')
      .where({ id: charge.id })
      .update({
        webhook_next_at: this.knex.raw('now() + make_interval(secs => ?)', [backoffSeconds(charge.webhook_attempts)]),
        webhook_last_error: error.slice(0, 500),
      });
    this.options.logger?.info({ chargeId: charge.id, attempt: charge.webhook_attempts, error }, 'fake webhook not acknowledged; will retry');
    return false;
  }
}
