import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { searchAttributes, stateQuery, type ReservationState } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { HISTORIES_DIR, parseHistory } from './helpers/histories';
import { runTemporalCli, temporalCliPath, waitForListing } from './helpers/operators';
import { activeSeatIds, eventually, holdSeats, refundTotal, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/**
 * What the README's runbook tells an operator to do, done the same way: visibility queries on
 * the search attributes, the memo in the listing, the `state` query, the `cancel` signal and the
 * workflow history, through the Temporal client and through the `temporal` CLI as a child process.
 */
describe('operators: finding and steering bookings through Temporal', () => {
  let cli: string | null;
  let address: string;

  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '600', CANCELLATION_CUTOFF_MINUTES: '60' } });
  beforeAll(async () => {
    address = stack.config.temporal.address;
    cli = await temporalCliPath();
  });

  type Show = Awaited<ReturnType<typeof createShowtime>>;
  type User = Awaited<ReturnType<typeof createUser>>;

  const hold = (user: User, show: Show, seatIndexes: number[]) => holdSeats(api, user.token, show.id, seatIndexes.map((i) => show.seats[i].id));

  /** The CLI, or null with a note when only the SDK's download exists (CI always builds it). */
  function requireCli(): string | null {
    if (cli) return cli;
    if (process.env.CI === 'true') throw new Error('the Temporal CLI was not found (TEMPORAL_CLI_PATH, PATH, .tools/bin); CI builds it with `npx tsx scripts/temporalCli.ts`');
    console.warn('skipping the CLI half of this test: no Temporal CLI binary (run `npm run temporal:cli`)');
    return null;
  }

  it('lists a showtime\'s bookings by status, by user and by hold expiry, with the memo in the listing', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 6 }] });
    const [alice, bob] = [await createUser(stack.knex, stack.config.jwtSecret), await createUser(stack.knex, stack.config.jwtSecret)];
    const aliceHeld = await hold(alice, show, [0]);
    const aliceBooked = await hold(alice, show, [1, 2]);
    expect((await api.post(`/reservations/${aliceBooked.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: alice.token })).status).toBe(200);
    const bobHeld = await hold(bob, show, [3]);
    const bobCancelled = await hold(bob, show, [4]);
    expect((await api.post(`/reservations/${bobCancelled.id}/cancel`, undefined, { token: bob.token })).status).toBe(200);
    const carol = await createUser(stack.knex, stack.config.jwtSecret);
    const carolPending = await hold(carol, show, [5]);
    expect((await api.post(`/reservations/${carolPending.id}/confirm`, { payment_method: 'pm_card_async' }, { token: carol.token })).status).toBe(202);

    const later = new Date(Date.now() + 60 * 60_000).toISOString();
    const expectations: [string, string[]][] = [
      [`ReservationStatus="held" AND ShowtimeId=${show.id}`, [aliceHeld.workflow_id, bobHeld.workflow_id]],
      [`ReservationStatus="confirmed" AND ShowtimeId=${show.id}`, [aliceBooked.workflow_id]],
      [`ReservationStatus="cancelled" AND ShowtimeId=${show.id}`, [bobCancelled.workflow_id]],
      [`ReservationStatus="pending_payment" AND ShowtimeId=${show.id}`, [carolPending.workflow_id]],
      [`UserId=${alice.id}`, [aliceHeld.workflow_id, aliceBooked.workflow_id]],
      [`UserId=${bob.id} AND ExecutionStatus="Running"`, [bobHeld.workflow_id]],
      [`ShowtimeId=${show.id} AND ExecutionStatus="Completed"`, [bobCancelled.workflow_id]],
      [`ReservationStatus="held" AND HoldExpiresAt < "${later}" AND ShowtimeId=${show.id}`, [aliceHeld.workflow_id, bobHeld.workflow_id]],
      [`HoldExpiresAt > "${later}" AND ShowtimeId=${show.id}`, []],
    ];
    for (const [query, expected] of expectations) {
      expect({ query, listed: await waitForListing(stack.client, query, expected) }).toEqual({ query, listed: [...expected].sort() });
    }

    // The listing itself carries the memo and the search attributes: no need to open each workflow.
    const [listed] = await (async () => {
      const found = [];
      for await (const wf of stack.client.workflow.list({ query: `WorkflowId="${aliceBooked.workflow_id}"` })) found.push(wf);
      return found;
    })();
    // No e-mail: the memo is readable by anyone with Web UI access and stays in history; the user id is enough.
    expect(listed.memo).toEqual({
      user_id: alice.id,
      movie_title: show.movie.title,
      showtime_starts_at: show.startsAt.toISOString(),
      seats: 'A2, A3',
      total_price: '20.00',
    });
    expect(listed.typedSearchAttributes.get(searchAttributes.ShowtimeId)).toBe(show.id);
    expect(listed.typedSearchAttributes.get(searchAttributes.UserId)).toBe(alice.id);
    expect(listed.typedSearchAttributes.get(searchAttributes.ReservationStatus)).toBe('confirmed');
    expect(listed.typedSearchAttributes.get(searchAttributes.HoldExpiresAt)?.toISOString()).toBe(aliceBooked.expires_at);
  });

  it('the CLI lists a booking, reads its state query as plain JSON and cancels it by signal with a reason', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const booking = await hold(user, show, [0, 1]);
    // The state query answers once the workflow has checked its reservation.
    await eventually(async () => (await stack.client.workflow.getHandle(booking.workflow_id).query(stateQuery)).status === 'held');
    const bin = requireCli();
    if (!bin) return;

    const query = `ReservationStatus="held" AND ShowtimeId=${show.id}`;
    expect(await waitForListing(stack.client, query, [booking.workflow_id])).toEqual([booking.workflow_id]);
    const listing = JSON.parse(await runTemporalCli(bin, ['workflow', 'list', '--address', address, '--query', query, '-o', 'json'])) as {
      execution: { workflowId: string };
    }[];
    expect(listing.map((w) => w.execution.workflowId)).toEqual([booking.workflow_id]);
    expect(await runTemporalCli(bin, ['workflow', 'count', '--address', address, '--query', query])).toMatch(/Total: 1\b/);

    const queried = JSON.parse(
      await runTemporalCli(bin, ['workflow', 'query', '--address', address, '--workflow-id', booking.workflow_id, '--name', 'state', '-o', 'json']),
    ) as { queryResult: ReservationState[] };
    expect(queried.queryResult).toEqual([
      {
        reservation_id: booking.id,
        status: 'held',
        hold_expires_at: booking.expires_at,
        show_starts_at: show.startsAt.toISOString(),
        hold_extensions: 0,
        total_price: '20.00',
        payment_id: null,
        payment_attempts: 0,
        last_payment_error: null,
        refund_amount: null,
        cancel_reason: null,
        last_refused_cancel: null,
        // The workflow answers []; the CLI's JSON output prints an empty list as null.
        rejected_payment_events: null,
        tickets_issued: null,
        tickets_revoked: null,
      },
    ]);

    const reason = 'customer phoned the box office: double booking';
    await runTemporalCli(bin, [
      'workflow', 'signal', '--address', address, '--workflow-id', booking.workflow_id, '--name', 'cancel', '--input', JSON.stringify({ reason }),
    ]);
    const cancelled = await waitForStatus(api, user.token, booking.id, 'cancelled');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: reason, refund_amount: '0.00' });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    const handle = stack.client.workflow.getHandle(booking.workflow_id);
    await expect(handle.result()).resolves.toBe('cancelled');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled', cancel_reason: reason, refund_amount: '0.00' });
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.ReservationStatus)).toBe('cancelled');

    // The runbook's replay recipe: the CLI's JSON history (the Web UI's download has the same form)
    // replays on the current workflow code through the same loader as the committed fixtures.
    const json = await runTemporalCli(bin, ['workflow', 'show', '--address', address, '--workflow-id', booking.workflow_id, '-o', 'json']);
    const history = parseHistory(JSON.parse(json));
    expect(history.events?.[0]?.eventType).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } }, history, booking.workflow_id);
    if (process.env.RECORD_HISTORIES === '1') writeFileSync(path.join(HISTORIES_DIR, 'operator-cli-cancel.json'), json);
  });

  it('an operator signal cancels a confirmed booking before the cutoff with a full refund', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }], basePrice: '11.25' });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const booking = await hold(user, show, [2]);
    expect((await api.post(`/reservations/${booking.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).status).toBe(200);
    const bin = requireCli();
    if (!bin) return;
    await runTemporalCli(bin, [
      'workflow', 'signal', '--address', address, '--workflow-id', booking.workflow_id, '--name', 'cancel',
      '--input', JSON.stringify({ reason: 'screening cancelled', requested_by: 'operator' }),
    ]);
    const cancelled = await waitForStatus(api, user.token, booking.id, 'cancelled');
    expect(cancelled).toMatchObject({ cancel_reason: 'screening cancelled', refund_amount: '11.25' });
    expect(await refundTotal(stack.knex, booking.id)).toEqual({ count: 1, cents: 1125 });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    expect(await waitForListing(stack.client, `ReservationStatus="cancelled" AND ShowtimeId=${show.id}`, [booking.workflow_id])).toEqual([booking.workflow_id]);
  });

  it('shows why a payment failed: the activity failure in history, payment_error and last_payment_error', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const booking = await hold(user, show, [0]);
    const declined = await api.post(`/reservations/${booking.id}/confirm`, { payment_method: 'pm_card_declined' }, { token: user.token });
    expect(declined.status).toBe(402);

    const handle = stack.client.workflow.getHandle(booking.workflow_id);
    const history = await handle.fetchHistory();
    const { EventType } = temporal.api.enums.v1;
    // The charge is a local activity (patch charge-as-local-activity): its failure is on its marker.
    const charge = (history.events ?? []).find(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
        e.markerRecordedEventAttributes?.markerName === 'core_local_activity' &&
        JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data ?? []).toString()).activity_type === 'chargePayment',
    );
    expect(charge?.markerRecordedEventAttributes?.failure).toMatchObject({
      message: 'Your card was declined.',
      applicationFailureInfo: { type: 'PaymentDeclined', nonRetryable: true },
    });
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'held', payment_attempts: 1, last_payment_error: 'Your card was declined.' });
    const stored = await api.get(`/reservations/${booking.id}`, { token: user.token });
    expect(stored.body).toMatchObject({ status: 'held', payment_error: 'Your card was declined.' });
    // Still findable as a hold: a declined card does not change the search attributes for good.
    expect(await waitForListing(stack.client, `ReservationStatus="held" AND ShowtimeId=${show.id}`, [booking.workflow_id])).toEqual([booking.workflow_id]);
  });
});
