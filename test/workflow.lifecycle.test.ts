import type { ReleaseSeatsInput } from '../activities/reservations';
import type { RetakeSeatsInput } from '../activities/latePayment';
import { FailureType } from '../workflows/failures';
import { confirmUpdate, extendUpdate, paymentSignal, stateQuery } from '../workflows/shared';
import { eventually } from './helpers/reservations';
import { refusalOf, startWorkflowHarness, type ReservationHandle, type WorkflowHarness } from './helpers/workflowHarness';

/**
 * The reservation workflow's lifecycle beyond the guide (issue 19), on the real dev server with
 * stub activities: extending a hold, asking the provider before a pending hold expires, and a
 * late payment that retakes the seats.
 */
const HOUR = 60 * 60_000;
let h: WorkflowHarness;

beforeAll(async () => {
  h = await startWorkflowHarness();
});
afterAll(() => h.close());

const statusOf = async (handle: ReservationHandle) => (await handle.query(stateQuery)).status;
const confirm = (handle: ReservationHandle, payment_method = 'pm_card_visa') => handle.executeUpdate(confirmUpdate, { args: [{ payment_method }] });
const extend = (handle: ReservationHandle, extend_by_seconds = 60, max_extensions = 2) =>
  handle.executeUpdate(extendUpdate, { args: [{ extend_by_seconds, max_extensions }] });
const releasesOf = (id: string) => h.stubs.calls(id).filter((c) => c.name === 'releaseSeats').map((c) => c.args[0] as ReleaseSeatsInput);

describe('extending a hold', () => {
  it('moves the deadline from the current expiry, writes the row, and stops at the cap', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await eventually(async () => (await statusOf(handle)) === 'held', 10_000);
    const before = Date.parse((await handle.query(stateQuery)).hold_expires_at as string);

    const first = await extend(handle);
    expect(first).toEqual({ status: 'held', expires_at: new Date(before + 60_000).toISOString(), extensions_used: 1, max_extensions: 2 });
    const second = await extend(handle);
    expect(second.expires_at).toBe(new Date(before + 120_000).toISOString());
    expect(await refusalOf(extend(handle))).toEqual({ type: FailureType.ExtensionLimit, message: expect.stringContaining('at most 2 times') });

    expect(h.stubs.calls(id).filter((c) => c.name === 'extendHold').map((c) => c.args)).toEqual([
      [id, first.expires_at],
      [id, second.expires_at],
    ]);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'held', hold_expires_at: second.expires_at, hold_extensions: 2 });
    await handle.terminate('test over');
  });

  it('refuses bad input as an invalid argument, before anything changes', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    expect((await refusalOf(extend(handle, 0))).type).toBe(FailureType.InvalidArgument);
    expect(h.stubs.names(id)).not.toContain('extendHold');
    await handle.terminate('test over');
  });

  it("clamps at the show's start, then refuses: nothing left to gain", async () => {
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 90_000 });
    await eventually(async () => (await statusOf(handle)) === 'held', 10_000);
    const { show_starts_at } = await handle.query(stateQuery);
    expect((await extend(handle, 600)).expires_at).toBe(show_starts_at);
    expect((await refusalOf(extend(handle, 600))).type).toBe(FailureType.ExtensionLimit);
    await handle.terminate('test over');
  });

  it('keeps the hold past its first deadline on the moved timer, then expires it', async () => {
    const { id, handle } = await h.start({ holdMs: 1500, showInMs: 3 * HOUR });
    const { expires_at } = await extend(handle, 2);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await statusOf(handle)).toBe('held');
    expect(await handle.result()).toBe('expired');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expires_at));
    expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'expired' }]);
  });

  it('refuses a pending payment and an expired hold with their reasons', async () => {
    const { handle } = await h.start({ holdMs: 1500, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 60_000 });
    await confirm(handle);
    expect((await refusalOf(extend(handle))).type).toBe(FailureType.InvalidState);
    await eventually(async () => (await statusOf(handle)) === 'expired', 10_000);
    expect((await refusalOf(extend(handle))).type).toBe(FailureType.HoldExpired);
    await handle.terminate('test over');
  });
});

describe('asking the provider before a pending hold expires', () => {
  it('confirms a payment the provider says succeeded, though no webhook came', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, charges: ['pending'], providerSays: 'succeeded', cancellationCutoffMinutes: 0 });
    await confirm(handle);
    await eventually(async () => (await statusOf(handle)) === 'confirmed', 10_000);
    expect(h.stubs.names(id)).toEqual([
      'findReservation',
      'chargePayment',
      'markPaymentPending',
      'askPaymentStatus',
      'recordPaymentOutcome',
      'confirmBooking',
    ]);
    expect(releasesOf(id)).toEqual([]);
    await handle.terminate('test over');
  });

  it('expires a hold whose payment the provider says failed, and waits for no late verdict', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, charges: ['pending'], providerSays: 'failed', latePaymentWindowMs: HOUR });
    await confirm(handle);
    expect(await handle.result()).toBe('expired');
    const outcome = h.stubs.calls(id).find((c) => c.name === 'recordPaymentOutcome');
    expect(outcome?.args.slice(1)).toEqual(['failed', 'Your card has insufficient funds.']);
    expect(releasesOf(id)).toEqual([{ reservationId: id, outcome: 'expired' }]);
  });

  it('expires a hold whose payment is still pending, keeping the late-payment window', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 1500 });
    await confirm(handle);
    expect(await handle.result()).toBe('expired');
    expect(h.stubs.names(id)).toEqual(['findReservation', 'chargePayment', 'markPaymentPending', 'askPaymentStatus', 'releaseSeats']);
  });
});

describe('a payment that succeeds after its hold expired', () => {
  it('retakes the seats when all are free, and confirms with tickets', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, charges: ['pending'], latePaymentWindowMs: 60_000, cancellationCutoffMinutes: 0 });
    const pending = await confirm(handle);
    await eventually(async () => (await statusOf(handle)) === 'expired', 10_000);
    await handle.signal(paymentSignal, { event_id: `evt_${id}`, type: 'payment_intent.succeeded', payment_id: pending.payment_id, amount: '21.00' });
    await eventually(async () => (await statusOf(handle)) === 'confirmed', 10_000);
    const retakes = h.stubs.calls(id).filter((c) => c.name === 'retakeSeats').map((c) => c.args[0] as RetakeSeatsInput);
    expect(retakes).toEqual([{ reservationId: id, paymentId: pending.payment_id, amount: '21.00', retake: true }]);
    expect(h.stubs.names(id).slice(-3)).toEqual(['recordPaymentOutcome', 'retakeSeats', 'issueTickets']);
    expect(h.stubs.names(id)).not.toContain('refundPayment');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'confirmed', payment_id: pending.payment_id, tickets_issued: [`ticket-${id}`], refund_amount: null });
    await handle.terminate('test over');
  });

  it('after the show has started, records the refund on the expired reservation and refunds without trying the seats', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 2500, charges: ['pending'], latePaymentWindowMs: 60_000 });
    const pending = await confirm(handle);
    await eventually(async () => (await statusOf(handle)) === 'expired', 10_000);
    await new Promise((r) => setTimeout(r, 2000));
    await handle.signal(paymentSignal, { event_id: `evt_${id}`, type: 'payment_intent.succeeded', payment_id: pending.payment_id, amount: '21.00' });
    expect(await handle.result()).toBe('expired');
    const retakes = h.stubs.calls(id).filter((c) => c.name === 'retakeSeats').map((c) => c.args[0] as RetakeSeatsInput);
    expect(retakes).toEqual([{ reservationId: id, paymentId: pending.payment_id, amount: '21.00', retake: false }]);
    expect((await handle.query(stateQuery)).refund_amount).toBe('21.00');
    await eventually(async () => h.stubs.names(id).includes('refundPayment'), 10_000);
  });
});
