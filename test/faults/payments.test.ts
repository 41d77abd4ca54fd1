import type { Knex } from 'knex';
import { FakePaymentProvider } from '../../src/payments/FakePaymentProvider';
import { FlakyPaymentProvider } from '../helpers/flakyPaymentProvider';
import { chargeCount, holdOnNewShowtime } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';

// The payment provider fails before it has charged anything: a connection refused or a 502 from
// its edge. (test/reservations.retries.test.ts covers the other half: a time-out after the
// provider has charged, where only the idempotency key prevents a second charge.)
describe('a payment provider that errors before charging', () => {
  let provider: FlakyPaymentProvider;
  const { stack, api } = useTestStack({ paymentProvider: (knex: Knex) => (provider = new FlakyPaymentProvider(new FakePaymentProvider(knex), 'before-charge')) });
  const hold = () => holdOnNewShowtime(stack, api);

  it('two transient errors: the charge is retried and made once', async () => {
    const { user, reservation } = await hold();
    provider.failuresLeft = 2;
    const callsBefore = provider.calls;
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('confirmed');
    expect(provider.calls - callsBefore).toBe(3);
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
  });

  it('down for every attempt: 503 with Retry-After, the hold stays, nothing is charged; a later confirm charges once', async () => {
    const { user, reservation } = await hold();
    provider.failuresLeft = 1000;
    const refused = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ detail: expect.any(String), code: 'SERVICE_UNAVAILABLE' });
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const after = await api.get(`/reservations/${reservation.id}`, { token: user.token });
    expect(after.body).toMatchObject({ status: 'held', payment_id: null });
    expect(await chargeCount(stack.knex, reservation.id)).toBe(0);

    provider.failuresLeft = 0;
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('confirmed');
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    expect(await stack.knex('payments').where({ reservation_id: reservation.id }).count({ c: '*' })).toEqual([{ c: 1 }]);
  }, 60_000);
});
