import type { Knex } from 'knex';
import { FakePaymentProvider } from '../src/payments/FakePaymentProvider';
import { FlakyPaymentProvider } from './helpers/flakyPaymentProvider';
import { chargeCount, eventually, holdOnNewShowtime } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

describe('activities that fail transiently are retried and the reservation still ends right', () => {
  let flaky: FlakyPaymentProvider;
  const { stack, api } = useTestStack({
    paymentProvider: (knex: Knex) => (flaky = new FlakyPaymentProvider(new FakePaymentProvider(knex), 'after-charge')),
  });
  const hold = () => holdOnNewShowtime(stack, api);

  it('a payment call that times out twice is retried with the same idempotency key: one charge', async () => {
    const { user, reservation } = await hold();
    flaky.failuresLeft = 2;
    const callsBefore = flaky.calls;
    const res = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('confirmed');
    expect(flaky.calls - callsBefore).toBe(3);
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    expect(await stack.knex('payments').where({ reservation_id: reservation.id }).count({ c: '*' })).toEqual([{ c: 1 }]);
  });

  it('a database connection dropped in the middle of an activity: the activity is retried, the booking confirmed', async () => {
    const { user, reservation } = await hold();
    // Hold the reservation's row lock so the confirm's database step blocks mid-query, then kill its connection.
    // (NO KEY UPDATE, so the payment row's foreign-key check is not blocked as well.)
    const blocker = await stack.knex.transaction();
    await blocker('reservations').where({ id: reservation.id }).forNoKeyUpdate().first('id');
    const confirming = api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    const victim = await eventually(async () => {
      const { rows } = await stack.knex.raw(
        `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'update "reservations"%' AND query ILIKE '%"confirmed_at"%'`,
      );
      return rows[0]?.pid as number | undefined;
    });
    await stack.knex.raw('SELECT pg_terminate_backend(?)', [victim]);
    await blocker.commit();

    const res = await confirming;
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('confirmed');
    expect(await chargeCount(stack.knex, reservation.id)).toBe(1);
    const history = await stack.client.workflow.getHandle(reservation.workflow_id).fetchHistory();
    // The confirm's database step (confirmBooking) runs as a local activity: its marker records the attempt that succeeded.
    const confirmAttempts = (history.events ?? [])
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')
      .map((e) => JSON.parse(Buffer.from(e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data ?? []).toString()))
      .filter((m: { activity_type: string }) => m.activity_type === 'confirmBooking')
      .map((m: { attempt: number }) => m.attempt);
    expect(confirmAttempts).toEqual([2]);
  });
});
