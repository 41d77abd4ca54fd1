import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { refundStateQuery, refundWorkflowId } from '../../workflows/refundLatePayment';
import { FailureType } from '../../workflows/shared';
import { createShowtime, createUser } from '../helpers/factories';
import { recordHistory } from '../helpers/histories';
import { activeSeatIds, eventually, waitForStatus } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { paymentEvent, postWebhook } from '../helpers/webhooks';

// Issue 23, payments 2: money the hold did not expect is refunded by a workflow of its own; when
// the provider answers "no such payment" (the fake's missing charge, Stripe's resource_missing),
// that refund fails for good, visibly, and the hold expires on time regardless.
describe('a refund the provider refuses with "no such payment"', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '3' } });

  it('fails its refund workflow with PaymentNotFound, and the hold still expires on time', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const held = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(held.status).toBe(201);
    // A payment on our books for this hold that the provider has lost (or never completed).
    const paymentId = `pi_lost_${randomUUID()}`;
    await stack.knex('payments').insert({
      reservation_id: held.body.id,
      provider: 'fake',
      provider_payment_id: paymentId,
      idempotency_key: `lost-${paymentId}`,
      payment_method: 'pm_card_async',
      amount: '10.00',
      status: 'pending',
    });
    const event = paymentEvent({ id: `evt_lost_${paymentId}`, type: 'payment_intent.succeeded', paymentId, reservationId: held.body.id });
    const res = await postWebhook(api, event, stack.config.paymentWebhookSecret);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('applied');

    // First the hold: it expires on time whatever the refund does.
    await waitForStatus(api, user.token, held.body.id, 'expired', 10_000);
    const row = await stack.knex('reservations').where({ id: held.body.id }).first('hold_expires_at', 'expired_at');
    expect(new Date(row.expired_at).getTime() - new Date(row.hold_expires_at).getTime()).toBeLessThan(2_000);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);

    const refund = stack.client.workflow.getHandle(refundWorkflowId(paymentId));
    await eventually(() => refund.describe());
    const failure = await refund.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(FailureType.PaymentNotFound);
    expect(await refund.query(refundStateQuery)).toMatchObject({ status: 'failed', payment_id: paymentId, error: expect.stringMatching(/no payment/) });
    // What an operator filters on in the Web UI.
    await eventually(async () => {
      for await (const wf of stack.client.workflow.list({ query: `WorkflowId="${refundWorkflowId(paymentId)}" AND ExecutionStatus="Failed"` })) return wf;
      return undefined;
    });

    const reservationHandle = stack.client.workflow.getHandle(held.body.workflow_id);
    expect(await reservationHandle.result()).toBe('expired');
    expect(await stack.knex('fake_provider_refunds').where({ charge_id: paymentId }).count({ c: '*' })).toEqual([{ c: 0 }]);
    await recordHistory(reservationHandle, 'unexpected-payment-refunded-apart-then-expired');
    await recordHistory(refund, 'refund-payment-not-found');
  });
});
