import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { Client as PgClient } from 'pg';
import { WebhookDelivery, WebhookEvent } from '../db/models';
import type { Logger } from '../logger';
import { webhookDeliveryWorkflow } from '../../workflows/webhookDelivery';
import { webhookDeliveryWorkflowId, type WebhookRetryPolicy } from '../../workflows/webhookShared';
import type { WebhookConfig } from '../config';

/** The channel the outbox trigger (migration 20261202000301) NOTIFYs at commit. */
export const WEBHOOK_EVENTS_CHANNEL = 'webhook_events';
/** Names the LISTEN connection in pg_stat_activity. */
export const DISPATCHER_APPLICATION_NAME = 'booking-webhook-dispatcher';
const BATCH = 100;
/** Workflow starts in flight at once within a batch. */
const START_CONCURRENCY = 8;
const RECONNECT_MS = 1_000;

export interface WebhookDispatcherDeps {
  knex: Knex;
  temporal: Client;
  taskQueue: string;
  databaseUrl: string;
  webhooks: WebhookConfig;
  logger?: Logger;
}

/** The delivery workflows' retry policy, from the worker's config. */
export const retryPolicyOf = (w: WebhookConfig): WebhookRetryPolicy => ({
  initialIntervalMs: w.retryInitialIntervalMs,
  maximumIntervalMs: w.retryMaxIntervalMs,
  giveUpAfterMs: w.giveUpAfterSeconds * 1000,
  attemptTimeoutMs: w.timeoutMs,
});

/**
 * Turns committed outbox rows into started delivery workflows. Woken by NOTIFY, and by a sweep
 * every WEBHOOK_SWEEP_INTERVAL_MS for whatever a lost notification or a crash left behind.
 *
 * Per batch: write a delivery row per (subscribed endpoint, event) and commit, start each
 * delivery's workflow, then mark the events dispatched. A worker dying anywhere in between leaves
 * the events undispatched, and a later round does it all again: rows are written ON CONFLICT DO
 * NOTHING, workflow ids are deterministic and duplicates refused, so a second pass is harmless.
 * Nothing committed is lost.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private listener: PgClient | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly deps: WebhookDispatcherDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.webhooks.sweepIntervalMs);
    this.listen();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    while (this.running) await this.running;
  }

  /** Runs a round now, or right after the one in progress (a notification during a round is not lost). */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          while ((await this.dispatchDue()) === BATCH && !this.stopped);
        } catch (err) {
          this.deps.logger?.warn({ err }, 'webhook dispatch round failed; the next sweep retries');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  private listen(): void {
    // A pg client of its own, not the pool's: LISTEN holds its session for as long as it listens.
    const client = new PgClient({ connectionString: this.deps.databaseUrl, application_name: DISPATCHER_APPLICATION_NAME });
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => undefined);
      if (!this.stopped) this.reconnectTimer = setTimeout(() => this.listen(), RECONNECT_MS);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.kick());
    this.listener = client;
    client
      .connect()
      .then(() => client.query(`LISTEN ${WEBHOOK_EVENTS_CHANNEL}`))
      // Events committed while nobody listened are found by this round.
      .then(() => this.kick())
      .catch((err: unknown) => {
        this.deps.logger?.warn({ err }, 'webhook dispatcher cannot LISTEN; sweeping only until it reconnects');
        lost();
      });
  }

  /** One batch; returns how many events it dispatched. */
  async dispatchDue(): Promise<number> {
    const retry = retryPolicyOf(this.deps.webhooks);
    // 1. The delivery rows, committed before any workflow starts, so its first step finds its row.
    const claimed = await WebhookEvent.transaction(this.deps.knex, async (trx) => {
      // FOR UPDATE SKIP LOCKED: two workers' rounds take different batches.
      const events = await WebhookEvent.query(trx).modify('undispatched').orderBy('position').limit(BATCH).forUpdate().skipLocked().select('id');
      if (events.length === 0) return undefined;
      const ids = events.map((e) => e.id);
      // Raw SQL: an insert-select across the outbox and the subscriptions (text[] membership), one idempotent statement.
      await trx.raw(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id)
         SELECT ep.id, ev.id FROM webhook_events ev JOIN webhook_endpoints ep ON NOT ep.is_deleted AND ev.type = ANY(ep.events)
          WHERE ev.id = ANY(?)
         ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
        [ids],
      );
      const deliveries = await WebhookDelivery.query(trx)
        .joinRelated('event')
        .whereIn('webhook_deliveries.event_id', ids)
        .orderBy('event.position')
        .select('webhook_deliveries.endpoint_id', 'webhook_deliveries.event_id');
      return { ids, deliveries };
    });
    if (!claimed) return 0;
    // 2. The workflows. A crash here leaves the events undispatched: the next round starts them again.
    for (let i = 0; i < claimed.deliveries.length; i += START_CONCURRENCY) {
      await Promise.all(claimed.deliveries.slice(i, i + START_CONCURRENCY).map((d) => this.startDelivery(d.endpoint_id, d.event_id, retry)));
    }
    // 3. Only now are they dispatched.
    await WebhookEvent.query(this.deps.knex).whereIn('id', claimed.ids).modify('undispatched').patch({ dispatched_at: new Date() });
    return claimed.ids.length;
  }

  private async startDelivery(endpointId: number, eventId: string, retry: WebhookRetryPolicy): Promise<void> {
    try {
      await this.deps.temporal.workflow.start(webhookDeliveryWorkflow, {
        workflowId: webhookDeliveryWorkflowId(endpointId, eventId),
        taskQueue: this.deps.taskQueue,
        args: [{ endpointId, eventId, retry, ordered: true }],
        // Once per (endpoint, event), also after the first run closed: a re-dispatch sends nothing twice.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
