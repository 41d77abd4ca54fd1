import type { Knex } from 'knex';
import type { Config } from '../config';
import { FakePaymentProvider } from './FakePaymentProvider';
import type { PaymentProvider } from './PaymentProvider';

export function createPaymentProvider(config: Pick<Config, 'paymentProvider' | 'fakePayments'>, knex: Knex): PaymentProvider {
  switch (config.paymentProvider) {
    case 'fake':
      return new FakePaymentProvider(knex, { webhookDelayMs: config.fakePayments.webhookDelayMs });
  }
}
