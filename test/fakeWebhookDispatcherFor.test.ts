import type { Knex } from 'knex';
import pino from 'pino';
import { loadConfig, type Config } from '../src/config';
import { createPaymentProvider } from '../src/payments/createPaymentProvider';
import { FakeWebhookDispatcher } from '../src/payments/FakeWebhookDispatcher';
import { fakeWebhookDispatcherFor } from '../src/payments/fakeWebhookDispatcherFor';

/** The fake provider's webhook sender signs with the real secret: production never runs it. */
describe('the fake provider in production', () => {
  // Neither function touches the database when it refuses; a knex is only stored otherwise.
  const knex = {} as Knex;
  const logger = pino({ level: 'silent' });
  const development = loadConfig({});
  // A config that slipped past loadConfig (built by hand), the case the guards are for.
  const production: Config = { ...development, env: 'production' };

  it('runs the dispatcher outside production only', () => {
    expect(fakeWebhookDispatcherFor(development, knex, logger)).toBeInstanceOf(FakeWebhookDispatcher);
    expect(fakeWebhookDispatcherFor(production, knex, logger)).toBeUndefined();
    expect(fakeWebhookDispatcherFor({ ...development, paymentProvider: 'stripe' }, knex, logger)).toBeUndefined();
  });

  it('refuses to build the fake provider', () => {
    expect(() => createPaymentProvider(production, knex)).toThrow(/fake payment provider cannot run in production/);
  });
});
