import { WorkflowFailedError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { RefundInput } from '../activities/payments';
import type { ReleaseSeatsInput } from '../activities/reservations';
import { FailureType } from '../workflows/failures';
import { cancelSignal, cancelUpdate, confirmUpdate, paymentSignal, stateQuery } from '../workflows/shared';
import { recordHistory } from './helpers/histories';
import { eventually } from './helpers/reservations';
import { startWorkflowHarness, type ReservationHandle, type WorkflowHarness } from './helpers/workflowHarness';

/** The reservation workflow's cancel branches, on the real dev server with stub activities. */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const REQUEST_REASON = 'cancelled by an operator (workflow cancellation request)';
let h: WorkflowHarness;

beforeAll(async () => {
  h = await startWorkflowHarness();
});
afterAll(() => h.close());

const confirm = (handle: ReservationHandle) => handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa' }] });
const refundsOf = (id: string) => h.stubs.calls(id).filter((c) => c.name === 'refundPayment').map((c) => c.args[0] as RefundInput);
const releasesOf = (id: string) => h.stubs.calls(id).filter((c) => c.name === 'releaseSeats').map((c) => c.args[0] as ReleaseSeatsInput);
const failureTypeOf = (err: unknown) => ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type;

describe('cancelling a reservation workflow', () => {
  it('refunds a booking in full and releases it before the cutoff', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, cancellationCutoffMinutes: 60 });
    const { payment_id } = await confirm(handle);
    expect(await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'changed plans' }] })).toMatchObject({ status: 'cancelled', refund_amount: '21.00' });
    expect(await handle.result()).toBe('cancelled');
    expect(refundsOf(id)).toEqual([{ reservationId: id, paymentId: payment_id, amount: '21.00', idempotencyKey: `${id}:refund:${payment_id}` }]);
    expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'cancelled', reason: 'changed plans', refundAmount: '21.00' }]);
  });

  it('issues tickets before the confirm answers, and revokes them when the booking is cancelled', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, cancellationCutoffMinutes: 60 });
    await confirm(handle);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'confirmed', tickets_issued: [`ticket-${id}`], tickets_revoked: [] });
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled', tickets_issued: [`ticket-${id}`], tickets_revoked: [`ticket-${id}`] });
    expect(h.stubs.names(id)).toEqual(['findReservation', 'chargePayment', 'confirmBooking', 'refundPayment', 'releaseSeats', 'revokeTickets']);
  });

  it('revokes nothing when a hold without tickets is cancelled', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
    expect(h.stubs.names(id)).not.toContain('revokeTickets');
    expect(await handle.query(stateQuery)).toMatchObject({ tickets_issued: [], tickets_revoked: [] });
  });

  it('refuses to cancel a booking from the cutoff on, and keeps it', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 30 * MINUTE, cancellationCutoffMinutes: 60 });
    await confirm(handle);
    const refused = await handle.executeUpdate(cancelUpdate, { args: [{}] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(failureTypeOf(refused)).toBe(FailureType.CancellationCutoff);
    expect((await handle.query(stateQuery)).status).toBe('confirmed');
    expect(releasesOf(id)).toEqual([]);
    await handle.terminate('test over');
  });

  it('completes a booking when the show ends, not when it starts', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 1000, showEndsInMs: 2500, cancellationCutoffMinutes: 0 });
    const endsAt = Date.now() + 2500;
    await confirm(handle);
    expect(await handle.result()).toBe('completed');
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt);
    expect(h.stubs.names(id)).toEqual(['findReservation', 'chargePayment', 'confirmBooking', 'completeReservation']);
  });

  it('records why a cancel signal was refused and changes nothing', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 30 * MINUTE, cancellationCutoffMinutes: 60 });
    await confirm(handle);
    await handle.signal(cancelSignal, { reason: 'customer called', requested_by: 'operator' });
    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.last_refused_cancel !== null && s;
    }, 10_000);
    expect(state).toMatchObject({ status: 'confirmed', cancel_reason: null, last_refused_cancel: 'Bookings can be cancelled until 60 minutes before the show' });
    expect(releasesOf(id)).toEqual([]);
    await handle.terminate('test over');
  });

  it('refuses a cancel signal for a hold that has expired while a late payment is awaited', async () => {
    const { handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 60_000 });
    await confirm(handle);
    await eventually(async () => (await handle.query(stateQuery)).status === 'expired', 10_000);
    await handle.signal(cancelSignal, { reason: 'too late' });
    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.last_refused_cancel !== null && s;
    }, 10_000);
    expect(state).toMatchObject({ status: 'expired', last_refused_cancel: 'A reservation that is expired cannot be cancelled' });
    await handle.terminate('test over');
  });

  it('takes a cancel signal typed in the Web UI, cleaning its reason', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await handle.signal(cancelSignal, { reason: ` box\u0000office `, requested_by: 'operator' });
    expect(await handle.result()).toBe('cancelled');
    expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'cancelled', reason: 'boxoffice', refundAmount: '0.00' }]);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled', cancel_reason: 'boxoffice', last_refused_cancel: null });
  });

  describe("the Web UI's Request Cancellation", () => {
    const cancelled = async (handle: ReservationHandle) => {
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    };

    it('refunds and releases a confirmed booking', async () => {
      const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
      const { payment_id } = await confirm(handle);
      await handle.cancel();
      await cancelled(handle);
      expect(refundsOf(id)).toEqual([{ reservationId: id, paymentId: payment_id, amount: '21.00', idempotencyKey: `${id}:refund:${payment_id}` }]);
      expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'cancelled', reason: REQUEST_REASON, refundAmount: '21.00' }]);
      expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled', refund_amount: '21.00', cancel_reason: REQUEST_REASON });
    });

    it('releases a hold without a refund', async () => {
      const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
      await eventually(async () => (await handle.query(stateQuery)).status === 'held', 10_000);
      await handle.cancel();
      await cancelled(handle);
      expect(refundsOf(id)).toEqual([]);
      expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'cancelled', reason: REQUEST_REASON, refundAmount: '0.00' }]);
    });

    it('refunds nothing when it interrupts the cancel of a hold whose earlier payment failed', async () => {
      // A local activity longer than most of the workflow task timeout lets new events in while it runs.
      const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, charges: ['pending'], releaseMs: 4000, workflowTaskTimeout: '2s' });
      const { payment_id } = await confirm(handle);
      await handle.signal(paymentSignal, { event_id: `evt_${id}`, type: 'payment_intent.payment_failed', payment_id, failure_reason: 'insufficient funds' });
      await eventually(async () => (await handle.query(stateQuery)).status === 'held', 10_000);
      // Accepted: the cancel runs, and its release takes 4 s.
      const cancelling = await handle.startUpdate(cancelUpdate, { args: [{ reason: 'changed plans' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      await handle.cancel();
      await cancelled(handle);
      await cancelling.result().catch(() => undefined);
      expect(refundsOf(id)).toEqual([]);
      expect(releasesOf(id).at(-1)).toEqual({ reservationId: id, outcome: 'cancelled', reason: REQUEST_REASON, refundAmount: '0.00' });
    });

    it('ends cancelled when it comes while a workflow started without the facts is still looking for a missing row', async () => {
      // The row's read is a local activity, and a local activity's NotFound reaches the workflow unwrapped.
      const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, factsInInput: false, rowMissing: true, findMs: 3000 });
      await eventually(async () => h.stubs.names(id).includes('findReservation'), 10_000);
      await handle.cancel();
      await cancelled(handle);
      expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'cancelled', reason: REQUEST_REASON, refundAmount: '0.00' }]);
      expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled', cancel_reason: REQUEST_REASON });
      await recordHistory(handle, 'cancellation-request-while-reading-missing-row');
    });

    it('leaves a hold that already expired as it is', async () => {
      const { id, handle } = await h.start({ holdMs: 500, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 60_000 });
      await confirm(handle);
      await eventually(async () => (await handle.query(stateQuery)).status === 'expired', 10_000);
      await handle.cancel();
      await cancelled(handle);
      expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'expired' }]);
    });
  });
});
