import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../workflows/failures';
import { cancelSignal, cancelUpdate, confirmUpdate, extendUpdate, paymentSignal, stateQuery, type RowSeen } from '../workflows/shared';
import { afterFirstTask, localActivities, workBeforeFirstMessage } from './helpers/firstTask';
import { eventually } from './helpers/reservations';
import { refusalOf, startWorkflowHarness, type ReservationHandle, type WorkflowHarness } from './helpers/workflowHarness';

/**
 * The hold path's workflow (patch hold-facts-from-input), on the real dev server with stub
 * activities: held from its input with no activity on its first task, the row read once when it
 * is first needed, and a hold whose transaction rolled back (no row) ending abandoned then.
 */
const HOUR = 60 * 60_000;
let h: WorkflowHarness;

beforeAll(async () => {
  h = await startWorkflowHarness();
});
afterAll(() => h.close());

const confirm = (handle: ReservationHandle) => handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa' }] });
const extend = (handle: ReservationHandle) => handle.executeUpdate(extendUpdate, { args: [{ extend_by_seconds: 60, max_extensions: 5 }] });
const findsOf = (id: string) => h.stubs.names(id).filter((n) => n === 'findReservation').length;
/** What the API's read before a confirm, cancel or extend tells the workflow: the row, held, and its showtime's times. */
const seenHeld = (showStartsAt: string, showEndsAt: string): RowSeen => ({ status: 'held', show_starts_at: showStartsAt, show_ends_at: showEndsAt });
/** The patch markers a history recorded, by id. */
async function patchesOf(handle: ReservationHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.markerName === 'core_patch' ? e.markerRecordedEventAttributes.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

describe('a hold whose facts come in its input', () => {
  it('is held from its first task, which runs no activity; the state shows the input\'s facts', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, showEndsInMs: 5 * HOUR, totalPrice: '17.50' });
    const history = await afterFirstTask(handle);
    expect(workBeforeFirstMessage(history)).toEqual([]);
    const { hold } = await startInput(handle);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'held', hold_expires_at: hold.expiresAt, show_starts_at: hold.showStartsAt, total_price: '17.50' });
    expect(h.stubs.names(id)).toEqual([]);

    // The first message reads the row, once, and then goes on as it always did.
    expect(await confirm(handle)).toMatchObject({ status: 'confirmed' });
    expect(h.stubs.names(id)).toEqual(['findReservation', 'chargePayment', 'confirmBooking']);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
    expect(localActivities(await handle.fetchHistory()).filter((t) => t === 'findReservation')).toHaveLength(1);
  });

  it('reads the row once for messages that arrive together', async () => {
    // The read takes a while (as a lock wait would), so every message arrives while it runs.
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, findMs: 1500 });
    await afterFirstTask(handle);
    await Promise.all([extend(handle), extend(handle), extend(handle)]);
    expect((await handle.query(stateQuery)).hold_extensions).toBe(3);
    expect(findsOf(id)).toBe(1);
    expect(localActivities(await handle.fetchHistory())).toEqual(['findReservation', 'extendHold', 'extendHold', 'extendHold']);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
  });

  it('reads the row at the deadline, then expires the hold', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR });
    expect(await handle.result()).toBe('expired');
    expect(h.stubs.names(id)).toEqual(['findReservation', 'releaseSeats']);
    expect(workBeforeFirstMessage(await handle.fetchHistory())).toEqual([]);
  });

  it('started without the facts (as before the patch), reads the row first', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, factsInInput: false });
    await eventually(async () => (await handle.query(stateQuery)).status === 'held', 10_000);
    expect(workBeforeFirstMessage(await handle.fetchHistory())).toEqual(['local activity findReservation']);
    expect(h.stubs.names(id)).toEqual(['findReservation']);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
  });
});

describe("a message carrying the caller's read of the row (row_seen)", () => {
  it('a confirm with it charges and books without reading the row; an operator\'s without it still reads it', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(handle);
    const { hold } = await startInput(handle);
    const confirmed = await handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa', row_seen: seenHeld(hold.showStartsAt, hold.showEndsAt) }] });
    expect(confirmed).toMatchObject({ status: 'confirmed' });
    expect(h.stubs.names(id)).toEqual(['chargePayment', 'confirmBooking']);
    expect(localActivities(await handle.fetchHistory())).toEqual(['chargePayment', 'confirmBooking']);
    expect(await patchesOf(handle)).toContain('row-seen-by-caller');

    // The same confirm from an operator (the Web UI, the CLI): no evidence, so the row is read first.
    const other = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(other.handle);
    expect(await confirm(other.handle)).toMatchObject({ status: 'confirmed' });
    expect(h.stubs.names(other.id)).toEqual(['findReservation', 'chargePayment', 'confirmBooking']);
    expect(await patchesOf(other.handle)).not.toContain('row-seen-by-caller');
  });

  it('a cancel with it releases without reading the row, and so does an extend', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(handle);
    const { hold } = await startInput(handle);
    const row_seen = seenHeld(hold.showStartsAt, hold.showEndsAt);
    await handle.executeUpdate(cancelUpdate, { args: [{ requested_by: 'user', row_seen }] });
    expect(await handle.result()).toBe('cancelled');
    expect(h.stubs.names(id)).toEqual(['releaseSeats']);

    const extended = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(extended.handle);
    await extended.handle.executeUpdate(extendUpdate, { args: [{ extend_by_seconds: 60, max_extensions: 5, row_seen }] });
    expect(h.stubs.names(extended.id)).toEqual(['extendHold']);
    // Later messages need no evidence: the row is read, once, for good.
    await extended.handle.executeUpdate(cancelUpdate, { args: [{}] });
    expect(h.stubs.names(extended.id)).toEqual(['extendHold', 'releaseSeats']);
  });

  it("takes the showtime's times it carries as the catalog's word, as the row check would", async () => {
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(handle);
    // The showtime was moved before the hold committed; the API's cached read of it was older.
    const moved = { start: new Date(Date.now() + 4 * HOUR).toISOString(), end: new Date(Date.now() + 6 * HOUR).toISOString() };
    await handle.executeUpdate(extendUpdate, { args: [{ extend_by_seconds: 60, max_extensions: 5, row_seen: seenHeld(moved.start, moved.end) }] });
    expect((await handle.query(stateQuery)).show_starts_at).toBe(moved.start);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
  });

  it('a row seen in another status than held, or evidence without times, settles nothing: the row is read', async () => {
    const start = new Date(Date.now() + 3 * HOUR).toISOString();
    const end = new Date(Date.now() + 5 * HOUR).toISOString();
    const evidence: RowSeen[] = [{ status: 'confirmed', show_starts_at: start, show_ends_at: end }, { status: 'held' } as RowSeen];
    for (const row_seen of evidence) {
      const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
      await afterFirstTask(handle);
      await handle.executeUpdate(extendUpdate, { args: [{ extend_by_seconds: 60, max_extensions: 5, row_seen }] });
      expect(h.stubs.names(id)).toEqual(['findReservation', 'extendHold']);
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
    }
  });

  it('a confirm with it that arrives while the row is being read waits for that read, which runs once', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, findMs: 1500 });
    await afterFirstTask(handle);
    const { hold } = await startInput(handle);
    // An operator's extend starts the read; the API's confirm comes while it runs.
    const extending = extend(handle);
    await eventually(async () => findsOf(id) === 1, 10_000);
    const confirmed = await handle.executeUpdate(confirmUpdate, { args: [{ payment_method: 'pm_card_visa', row_seen: seenHeld(hold.showStartsAt, hold.showEndsAt) }] });
    await extending;
    expect(confirmed).toMatchObject({ status: 'confirmed' });
    expect(findsOf(id)).toBe(1);
    expect(await patchesOf(handle)).not.toContain('row-seen-by-caller');
  });
});

describe('a hold whose transaction rolled back (no row)', () => {
  const refusedAsAbandoned = (verb: 'confirmed' | 'cancelled' | 'extended') => ({
    type: FailureType.InvalidState,
    message: verb === 'extended' ? 'A reservation that is abandoned cannot be extended; only a hold can' : `A reservation that is abandoned cannot be ${verb}`,
  });

  it.each([
    ['confirmed', (handle: ReservationHandle) => confirm(handle)],
    ['cancelled', (handle: ReservationHandle) => handle.executeUpdate(cancelUpdate, { args: [{}] })],
    ['extended', (handle: ReservationHandle) => extend(handle)],
  ] as const)('shows held until the first message, which finds no row: refused (%s), and the workflow ends abandoned', async (verb, send) => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, rowMissing: true });
    await afterFirstTask(handle);
    expect((await handle.query(stateQuery)).status).toBe('held');
    expect(await refusalOf(send(handle))).toEqual(refusedAsAbandoned(verb));
    expect(await handle.result()).toBe('abandoned');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'abandoned' });
    // Nothing to release: only the read ran.
    expect(h.stubs.names(id)).toEqual(['findReservation']);
  });

  it('reads the row once for messages that arrive together, refusing each', async () => {
    // The read takes a while (as a lock wait would), so the messages arrive while it runs.
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, rowMissing: true, findMs: 1000 });
    await afterFirstTask(handle);
    const outcomes = await Promise.all(
      [confirm(handle), handle.executeUpdate(cancelUpdate, { args: [{}] }), extend(handle)].map((p) =>
        p.then(
          () => 'ran',
          (err: unknown) =>
            err instanceof WorkflowUpdateFailedError
              ? ((err.cause as ApplicationFailure).message.startsWith('A reservation that is abandoned') ? 'refused' : String(err.cause))
              : // One Temporal had not yet handed to the workflow when it closed is aborted, as any Update reaching a closed workflow is.
                err instanceof WorkflowNotFoundError
                ? 'closed'
                : String(err),
        ),
      ),
    );
    expect(outcomes).toContain('refused');
    for (const outcome of outcomes) expect(['refused', 'closed']).toContain(outcome);
    expect(await handle.result()).toBe('abandoned');
    expect(h.stubs.names(id)).toEqual(['findReservation']);
  });

  it('ends abandoned at the deadline, releasing nothing', async () => {
    const { id, handle } = await h.start({ holdMs: 1000, showInMs: 3 * HOUR, rowMissing: true });
    expect(await handle.result()).toBe('abandoned');
    expect(h.stubs.names(id)).toEqual(['findReservation']);
  });

  it('refuses a cancel signal as it refuses the Update, and ends abandoned', async () => {
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, rowMissing: true });
    await handle.signal(cancelSignal, { reason: 'box office', requested_by: 'operator' });
    expect(await handle.result()).toBe('abandoned');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'abandoned', last_refused_cancel: 'A reservation that is abandoned cannot be cancelled' });
  });

  it('reads the row before it applies a payment event, and ends abandoned', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, rowMissing: true });
    await handle.signal(paymentSignal, { event_id: `evt_${id}`, type: 'payment_intent.payment_failed', payment_id: 'pay_unknown' });
    expect(await handle.result()).toBe('abandoned');
    expect(h.stubs.names(id)).toEqual(['findReservation']);
  });

  it('on a cancellation request (the API knows it rolled back), reads the row and ends abandoned, not cancelled', async () => {
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, rowMissing: true });
    await afterFirstTask(handle);
    await handle.cancel();
    expect(await handle.result()).toBe('abandoned');
    expect(h.stubs.names(id)).toEqual(['findReservation']);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'abandoned', cancel_reason: null });
  });
});

/** The input the workflow was started with. */
async function startInput(handle: ReservationHandle) {
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0]?.data;
  return JSON.parse(Buffer.from(payload as Uint8Array).toString('utf8')) as { hold: { expiresAt: string; showStartsAt: string; showEndsAt: string } };
}
