import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ChargeInput, RefundInput } from '../activities/payments';
import type { ReleaseSeatsInput } from '../activities/reservations';
import { FailureType } from '../workflows/failures';
import { refundWorkflowId, type refundLatePaymentWorkflow } from '../workflows/refundLatePayment';
import { cancelUpdate, confirmUpdate, paymentRejectedSignal, paymentSignal, stateQuery } from '../workflows/shared';
import { recordHistory } from './helpers/histories';
import { eventually } from './helpers/reservations';
import { startWorkflowHarness, type ReservationHandle, type WorkflowHarness } from './helpers/workflowHarness';

/** The reservation workflow's payment branches, on the real dev server with stub activities. */
const HOUR = 60 * 60_000;
let h: WorkflowHarness;

beforeAll(async () => {
  h = await startWorkflowHarness();
});
afterAll(() => h.close());

const statusOf = async (handle: ReservationHandle) => (await handle.query(stateQuery)).status;
const confirm = (handle: ReservationHandle, payment_method = 'pm_card_visa') => handle.executeUpdate(confirmUpdate, { args: [{ payment_method }] });
const refundsOf = (id: string) => h.stubs.calls(id).filter((c) => c.name === 'refundPayment').map((c) => c.args[0] as RefundInput);
/** The refund workflow of a payment, once the reservation's workflow has started it. */
const refundOf = async (paymentId: string) => {
  const handle = h.client.workflow.getHandle<typeof refundLatePaymentWorkflow>(refundWorkflowId(paymentId));
  await eventually(() => handle.describe(), 10_000);
  return handle.result();
};
const releasesOf = (id: string) => h.stubs.calls(id).filter((c) => c.name === 'releaseSeats').map((c) => c.args[0] as ReleaseSeatsInput);

describe('the reservation workflow with payments', () => {
  it('keeps the hold after a declined card, and books it with the next one under a new key', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, charges: ['declined'] });
    const declined = await confirm(handle, 'pm_card_declined').catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((declined as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(FailureType.PaymentDeclined);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'held', payment_attempts: 1, last_payment_error: 'Your card was declined.' });
    expect(h.stubs.names(id)).toEqual(['findReservation', 'chargePayment', 'markHeldAgain']);

    expect(await confirm(handle)).toMatchObject({ status: 'confirmed' });
    const keys = h.stubs.calls(id).filter((c) => c.name === 'chargePayment').map((c) => (c.args[0] as ChargeInput).idempotencyKey);
    expect(keys).toEqual([`${id}:charge:1`, `${id}:charge:2`]);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
  });

  it('books the seats when a pending payment succeeds while the hold lasts', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, charges: ['pending'] });
    const pending = await confirm(handle);
    expect(pending.status).toBe('pending_payment');
    await handle.signal(paymentSignal, { event_id: `evt_${id}`, type: 'payment_intent.succeeded', payment_id: pending.payment_id, amount: '21.00' });
    await eventually(async () => (await statusOf(handle)) === 'confirmed', 10_000);
    expect(h.stubs.names(id)).toEqual(['findReservation', 'chargePayment', 'markPaymentPending', 'recordPaymentOutcome', 'confirmBooking']);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
  });

  it('expires a hold whose payment is still pending, then refunds that payment when it succeeds late and a seat was taken', async () => {
    const { id, handle } = await h.start({ holdMs: 1500, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 60_000, seatsFreeLate: false });
    const pending = await confirm(handle);
    expect(pending.status).toBe('pending_payment');
    await eventually(async () => (await statusOf(handle)) === 'expired', 10_000);
    expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'expired' }]);

    await handle.signal(paymentSignal, { event_id: `evt_${id}`, type: 'payment_intent.succeeded', payment_id: pending.payment_id, amount: '21.00' });
    expect(await handle.result()).toBe('expired');
    expect(await refundOf(pending.payment_id)).toBe(`re_stub_${pending.payment_id}`);
    expect(refundsOf(id)).toEqual([{ reservationId: id, paymentId: pending.payment_id, amount: '21.00', idempotencyKey: `${id}:refund:${pending.payment_id}` }]);
    expect((await handle.query(stateQuery)).refund_amount).toBe('21.00');
    expect(h.stubs.names(id)).toContain('retakeSeats');
  });

  it('waits for a late verdict only as long as the window in its input, then ends', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 1500 });
    expect((await confirm(handle)).status).toBe('pending_payment');
    expect(await handle.result()).toBe('expired');
    expect(refundsOf(id)).toEqual([]);
    await recordHistory(handle, 'late-payment-window-ended');
  });

  it('refunds stray money once per payment by its own workflow, ignores stray failures, and keeps the hold', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await eventually(async () => (await statusOf(handle)) === 'held', 10_000);
    const stray = `pay_stray_${id}`;
    const success = { type: 'payment_intent.succeeded' as const, payment_id: stray, amount: '5.00' };
    await handle.signal(paymentSignal, { event_id: `evt_a_${id}`, ...success });
    await handle.signal(paymentSignal, { event_id: `evt_a_${id}`, ...success });
    await handle.signal(paymentSignal, { event_id: `evt_b_${id}`, type: 'payment_intent.payment_failed', payment_id: `pay_other_${id}`, failure_reason: 'no' });
    expect(await refundOf(stray)).toBe(`re_stub_${stray}`);
    // A redelivery under a new event id finds the refund already made.
    await handle.signal(paymentSignal, { event_id: `evt_c_${id}`, ...success });
    await handle.signal(paymentRejectedSignal, { event_id: `evt_d_${id}`, payment_id: 'pay_forged', reason: 'unknown_payment' });

    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.rejected_payment_events.length > 0 && s;
    }, 10_000);
    expect(state).toMatchObject({ status: 'held', payment_id: null, rejected_payment_events: [{ event_id: `evt_d_${id}`, payment_id: 'pay_forged', reason: 'unknown_payment' }] });
    expect(refundsOf(id)).toEqual([{ reservationId: id, paymentId: stray, amount: '5.00', idempotencyKey: `${id}:refund:${stray}` }]);
    expect(h.stubs.names(id)).not.toContain('recordPaymentOutcome');
    expect(await handle.executeUpdate(cancelUpdate, { args: [{}] })).toMatchObject({ status: 'cancelled', refund_amount: '0.00' });
    expect(refundsOf(id)).toHaveLength(1);
  });
});
