import Stripe from 'stripe';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { FakePaymentProvider } from './FakePaymentProvider';
import type { PaymentProvider } from './PaymentProvider';
import { StripePaymentProvider } from './StripePaymentProvider';

export function createPaymentProvider(
  config: Pick<Config, 'paymentProvider' | 'fakePayments' | 'stripeSecretKey'>,
  knex: Knex,
): PaymentProvider {
  switch (config.paymentProvider) {
    case 'fake':
      return new FakePaymentProvider(knex, { webhookDelayMs: config.fakePayments.webhookDelayMs });
    case 'stripe':
      // Temporal retries the activity with the same idempotency key; one quick retry here smooths blips.
      return new StripePaymentProvider(new Stripe(config.stripeSecretKey as string, { maxNetworkRetries: 1, timeout: 15_000 }));
  }
}
