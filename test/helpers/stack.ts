import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino from 'pino';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createKnex } from '../../src/db/knex';
import { SoldOutMemory } from '../../src/reservations/soldOutMemory';
import { FakePaymentProvider } from '../../src/payments/FakePaymentProvider';
import { FakeWebhookDispatcher } from '../../src/payments/FakeWebhookDispatcher';
import type { PaymentProvider } from '../../src/payments/PaymentProvider';
import { TEMPORAL_CLIENT_CHANNEL_ARGS } from '../../src/temporal/client';
import { temporalConnectionOptions } from '../../src/temporal/connectionOptions';
import { createBookingWorker } from '../../src/temporal/worker';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher';
import { installQuietRuntime } from '../setup/quietTemporalRuntime';
import { apiClient, type ApiClient } from './http';

export interface TestStack {
  config: Config;
  knex: Knex;
  client: Client;
  baseUrl: string;
  /** The API's memory of sold-out showtimes, as server.ts gives it one. */
  soldOut: SoldOutMemory;
  /** Starts a (new) worker; the stack starts one unless `worker: false`. */
  startWorker(): Promise<Worker>;
  stopWorker(): Promise<void>;
  /** The fake provider's webhook sender, when the stack runs one. */
  dispatcher?: FakeWebhookDispatcher;
  /** Outbound webhooks' outbox dispatcher, run with the worker as the worker process runs it. */
  webhookDispatcher: WebhookDispatcher;
  /** A second API process-alike on the same database and Temporal, with some config changed. */
  startExtraApi(overrides: Partial<Config>): Promise<{ baseUrl: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  env?: Record<string, string>;
  worker?: boolean;
  paymentProvider?: (knex: Knex) => PaymentProvider;
  /** Run the fake provider's webhook deliveries (default true); off where a test signals payments itself. */
  webhooks?: boolean;
}


export interface UsedTestStack {
  /** The running stack; usable in tests and in hooks registered after useTestStack(). */
  stack: TestStack;
  /** An HTTP client of the stack's API. */
  api: ApiClient;
}

/**
 * A test stack for the enclosing describe block (or file): this registers the beforeAll that
 * starts it and the afterAll that closes it. `options` may be a function, called when the stack
 * starts, where they depend on what an earlier beforeAll set up (a database, a server). Hooks run
 * in the order they are registered: a teardown that must run before the stack closes is
 * registered before this call.
 */
export function useTestStack(options: TestStackOptions | (() => TestStackOptions) = {}, timeoutMs?: number): UsedTestStack {
  let current: TestStack | undefined;
  const started = (): TestStack => {
    if (!current) throw new Error('the test stack is not running: use it in tests, or in hooks registered after useTestStack()');
    return current;
  };
  beforeAll(async () => {
    current = await startTestStack(typeof options === 'function' ? options() : options);
  }, timeoutMs);
  afterAll(async () => {
    await current?.close();
    current = undefined;
  }, timeoutMs);
  // Forwards to the stack once it runs, so test files can name it where they declare their hooks.
  const stack = new Proxy({} as TestStack, {
    get: (_target, key) => Reflect.get(started(), key),
    set: () => false,
  });
  return { stack, api: apiClient(() => started().baseUrl) };
}

/** The whole system against the run's real Temporal dev server and Postgres, on its own task queue. */
export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  installQuietRuntime();
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    DATABASE_URL: required('TEST_DATABASE_URL'),
    TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    // Every test client comes from 127.0.0.1; tests of the limits themselves set their own.
    RATE_LIMIT_LOGIN_PER_ADDRESS: '0',
    RATE_LIMIT_SIGNUP_PER_ADDRESS: '0',
    FAKE_PAYMENT_WEBHOOK_DELAY_MS: '300',
    // Tests hold many times, and concurrently, as one user: the per-showtime limits (and the
    // per-user lock they take) are off. Tests of the limits themselves set their own.
    PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME: '0',
    PURCHASE_LIMIT_SEATS_PER_SHOWTIME: '0',
    ...opts.env,
  };
  const config = loadConfig(env);
  const knex = createKnex(config.databaseUrl, 10);
  // The API's channel settings (reconnect backoff), as src/temporal/client.ts gives them in production.
  const connection = await Connection.connect({ ...temporalConnectionOptions(config.temporal), channelArgs: TEMPORAL_CLIENT_CHANNEL_ARGS });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const soldOut = new SoldOutMemory(config.databaseUrl, pino({ level: 'silent' }));
  const app = createApp({ config, knex, temporal: client, logger: pino({ level: 'silent' }), soldOut });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config.fakePayments.webhookUrl = `${baseUrl}/api/v1/webhooks/payments`;

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const paymentProvider = (opts.paymentProvider ?? ((k) => new FakePaymentProvider(k, { webhookDelayMs: config.fakePayments.webhookDelayMs })))(knex);
  // The fake provider's webhook sender, as the worker process runs it in production.
  const dispatcher =
    opts.webhooks === false
      ? undefined
      : new FakeWebhookDispatcher(knex, { url: config.fakePayments.webhookUrl, secret: config.paymentWebhookSecret, pollMs: 50 });

  const webhookDispatcher = new WebhookDispatcher({
    knex,
    temporal: client,
    taskQueue: config.temporal.taskQueue,
    databaseUrl: config.databaseUrl,
    webhooks: config.webhooks,
  });

  const stack: TestStack = {
    config,
    knex,
    client,
    baseUrl,
    soldOut,
    dispatcher,
    webhookDispatcher,
    async startExtraApi(overrides) {
      const extra = createApp({ config: { ...config, ...overrides }, knex, temporal: client, logger: pino({ level: 'silent' }) });
      const extraServer: Server = await new Promise((resolve) => {
        const s = extra.listen(0, '127.0.0.1', () => resolve(s));
      });
      return {
        baseUrl: `http://127.0.0.1:${(extraServer.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve) => extraServer.close(() => resolve())),
      };
    },
    async startWorker() {
      nativeConnection ??= await NativeConnection.connect(temporalConnectionOptions(config.temporal));
      worker = await createBookingWorker({
        config,
        knex,
        paymentProvider,
        connection: nativeConnection,
        workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
      });
      const w = worker;
      running = w.run();
      dispatcher?.start();
      webhookDispatcher.start();
      return w;
    },
    async stopWorker() {
      await dispatcher?.stop();
      await webhookDispatcher.stop();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      await stack.stopWorker();
      await nativeConnection?.close();
      await new Promise((resolve) => server.close(resolve));
      await soldOut.close();
      await connection.close();
      await knex.destroy();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through jest's global setup (npm test)`);
  return v;
}
