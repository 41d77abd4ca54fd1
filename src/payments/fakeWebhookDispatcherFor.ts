import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { FakeWebhookDispatcher } from './FakeWebhookDispatcher';

/**
 * The fake provider's webhook sender for the worker, or none. Never in production, even if a
 * config object slipped past loadConfig: it signs events with the real webhook secret, so it
 * could confirm bookings nobody paid for.
 */
export function fakeWebhookDispatcherFor(
  config: Pick<Config, 'env' | 'paymentProvider' | 'fakePayments' | 'paymentWebhookSecret'>,
  knex: Knex,
  logger: Logger,
): FakeWebhookDispatcher | undefined {
  if (config.env === 'production' || config.paymentProvider !== 'fake') return undefined;
  return new FakeWebhookDispatcher(knex, { url: config.fakePayments.webhookUrl, secret: config.paymentWebhookSecret.split(',')[0], logger });
}
