import { Client } from 'pg';
import type { Logger } from '../logger';

/** The channel the seat-change trigger (migration 20261201000800) NOTIFYs on commit. */
export const SEAT_EVENTS_CHANNEL = 'seat_events';
/** Names the LISTEN connection in pg_stat_activity, for operators (and the tests that kill it). */
export const LISTENER_APPLICATION_NAME = 'booking-seat-events';

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface ListenerHandlers {
  /** A committed seat change: `version` of `showtimeId`. */
  onNotify(showtimeId: number, version: number): void;
  /** LISTEN is back after the connection was lost: notifications in between are gone. */
  onResync(): void;
  /** The connection was lost: from now until onResync, changes go unnoticed. */
  onLost?(): void;
}

/**
 * One dedicated LISTEN connection per API process, outside the knex pool: a pooled connection
 * would be handed to queries and lose its LISTEN on release. Connected while there is a
 * subscriber; on loss it reconnects with backoff and asks for a resync.
 */
export class SeatEventListener {
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private wanted = false;
  private lostSinceListen = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = RECONNECT_MIN_MS;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
    private readonly handlers: ListenerHandlers,
    private readonly applicationName = LISTENER_APPLICATION_NAME,
  ) {}

  /** LISTEN is in place now: every change committed from here on is notified. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Resolves once LISTEN is in place, so a snapshot read afterwards misses no later change. */
  ensure(): Promise<void> {
    this.wanted = true;
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Drops the connection (no subscriber left, or shutdown). */
  async stop(): Promise<void> {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.lostSinceListen = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => {
      const [showtime, version] = (msg.payload ?? '').split(':').map(Number);
      if (Number.isInteger(showtime) && Number.isInteger(version)) this.handlers.onNotify(showtime, version);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SEAT_EVENTS_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (!this.wanted) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoffMs = RECONNECT_MIN_MS;
    if (this.lostSinceListen) {
      this.lostSinceListen = false;
      this.logger.info('seat events: listener reconnected; subscribers get a fresh snapshot');
      this.handlers.onResync();
    }
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    this.handlers.onLost?.();
    if (!this.wanted) return;
    this.logger.warn({ err }, 'seat events: listener connection lost; reconnecting');
    this.lostSinceListen = true;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || !this.wanted) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.wanted || this.client) return;
      this.ensure().catch((err: unknown) => {
        this.logger.warn({ err }, 'seat events: listener reconnect failed; retrying');
        this.backoffMs = Math.min(this.backoffMs * 2, RECONNECT_MAX_MS);
        this.scheduleReconnect();
      });
    }, this.backoffMs);
  }
}
