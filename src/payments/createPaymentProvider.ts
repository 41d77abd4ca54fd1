import Stripe from 'stripe';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { FakePaymentProvider } from './FakePaymentProvider';
import type { PaymentProvider } from './PaymentProvider';
import { StripePaymentProvider } from './StripePaymentProvider';

export function createPaymentProvider(
  config: Pick<Config, 'env' | 'paymentProvider' | 'fakePayments' | 'stripeSecretKey'>,
  knex: Knex,
): PaymentProvider {
  switch (config.paymentProvider) {
    case 'fake':
      // loadConfig refuses this too; a hand-built config must not take bookings without money either.
      if (config.env === 'production') throw new Error('The fake payment provider cannot run in production');
      return new FakePaymentProvider(knex, { webhookDelayMs: config.fakePayments.webhookDelayMs });
    case 'stripe':
      // Temporal retries the activity with the same idempotency key; one quick retry here smooths blips.
      return new StripePaymentProvider(new Stripe(config.stripeSecretKey as string, { maxNetworkRetries: 1, timeout: 15_000 }));
  }
}
