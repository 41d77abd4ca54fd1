import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { RowSeen } from '../workflows/shared';
import { HISTORIES_DIR, loadHistory, parseHistory } from './helpers/histories';

/**
 * Every recorded history must replay on the current workflow code: a change that would break
 * running reservations fails here (guard it with patched() and re-record). The current code's
 * recordings sit at the top; those of earlier versions stay in their folders, because workflows
 * started then may still be running.
 */
const LEGACY_DIRS = ['v1-activities'];
const jsonIn = (dir: string) => readdirSync(path.join(HISTORIES_DIR, dir)).filter((f) => f.endsWith('.json'));

describe('replaying recorded reservation histories', () => {
  const current = jsonIn('.');
  const legacy = LEGACY_DIRS.flatMap((dir) => jsonIn(dir).map((f) => `${dir}/${f}`));

  it('has recordings of every path through the workflow, now and before the last patch', () => {
    const paths = [
      'abandoned',
      'async-payment-confirmed',
      'async-payment-failed-then-confirmed',
      'confirmed-then-cancelled-with-refund',
      'confirmed-then-completed',
      'declined-then-confirmed',
      'hold-cancelled',
      'hold-expired',
      'operator-cancel-signal',
    ];
    // Paths added by issue 23 (patched: unexpected-money-refunded-by-own-workflow, no-confirm-after-showtime-start),
    // including the refund workflow's permanent failure.
    const issue23 = [
      'confirm-refused-after-showtime-start',
      'payment-event-rejected-then-expired',
      'refund-payment-not-found',
      'unexpected-payment-refunded-apart-then-expired',
    ];
    // The purge workflow (workflows/purgeStaleRows.ts) has one path, recorded by test/accounts/purge.test.ts.
    // Issue 16: the late-payment window as a workflow input, run to its end (recorded by test/workflow.payments.test.ts).
    const issue16 = ['late-payment-window-ended'];
    // Issue 20 (patched: current-details-for-operators): the Web UI's current details at every step (test/operators.details.test.ts).
    const issue20 = ['current-details-declined-confirmed-cancelled'];
    // Issue 18 (patched: issue-tickets): tickets issued at a confirm, by the API or by webhook, and revoked by a cancel
    // (recorded by test/tickets.test.ts).
    const issue18 = ['tickets-issued-then-revoked-by-cancel', 'tickets-issued-via-webhook'];
    // Issue 19 (outbound webhooks): the delivery workflow (workflows/webhookDelivery.ts), recorded by test/outboundWebhooks.test.ts:
    // retried until acknowledged, waiting behind an earlier event, given up, and an admin's redelivery.
    const issue19Webhooks = ['webhook-delivered-after-3-failures', 'webhook-delivered-after-earlier-event', 'webhook-given-up-then-next-event', 'webhook-redelivered'];
    // Issue 19 (patched: hold-extension, cancel-after-extension, late-payment-retakes-seats, ask-provider-before-expiry, complete-at-show-end):
    // an extension that won its race with the timer, and one racing a cancel (test/reservations.extend.test.ts), a late success that retook the
    // seats or, one being taken, was refunded, a success the provider told before the expiry
    // (test/reservations.latePayment.test.ts), and completion at the show's end (test/reservations.timers.test.ts;
    // `confirmed-then-completed` is the recording from before, completing at the start).
    const issue19 = [
      'hold-extended-then-expired',
      'hold-extended-then-cancelled',
      'late-payment-retook-seats',
      'late-payment-refunded-seat-taken',
      'ask-provider-before-expiry-confirmed',
      'completed-at-show-end',
    ];
    // Issue 21 (patched: hold-facts-from-input): the hold's facts in the input, the row read when first needed
    // (test/reservations.holdFacts.test.ts): at a confirm, at the deadline, and for a hold that rolled back, at its
    // first message, at its deadline, and on the API's cancellation request. The recordings above read it first.
    const issue21 = [
      'facts-from-input-confirmed',
      'facts-from-input-expired',
      'facts-from-input-abandoned-at-confirm',
      'facts-from-input-abandoned-at-deadline',
      'facts-from-input-abandoned-on-cancellation-request',
    ];
    // Issue 21, "Confirm" (patched: charge-as-local-activity, confirm-and-issue-tickets-together): the charge as a local
    // activity, declined then made, and the booking confirmed with its tickets in one step, by a confirm or a webhook
    // (recorded by test/reservations.confirmPath.test.ts; the paths above are the recordings from before).
    const issue21Confirm = ['confirmed-charged-locally-with-tickets', 'declined-then-confirmed-charged-locally', 'async-payment-confirmed-with-tickets-together'];
    // Issue 21, the row seen by the caller (patched: row-seen-by-caller): a confirm and a cancel from the API, which
    // read the row before sending them, act without reading it again (recorded by test/reservations.holdFacts.test.ts;
    // `facts-from-input-confirmed` is an operator's confirm, without that evidence).
    const issue21RowSeen = ['row-seen-confirmed', 'row-seen-cancelled'];
    // A cancellation request while a workflow started without the hold's facts is still reading a missing row:
    // the release's local NotFound ends it cancelled (test/workflow.cancellation.test.ts). It failed the run before.
    const cancelWhileReading = ['cancellation-request-while-reading-missing-row'];
    expect(current.map((f) => f.replace('.json', '')).sort()).toEqual(
      [...paths, ...issue23, 'purge-stale-rows', ...issue16, ...issue20, ...issue18, ...issue19, ...issue19Webhooks, ...issue21, ...issue21Confirm, ...issue21RowSeen, ...cancelWhileReading].sort(),
    );
    // v1 also holds one saved from `temporal workflow show -o json` (the Web UI's download has the same form).
    expect(legacy.map((f) => f.replace('.json', '')).sort()).toEqual([...paths.map((p) => `v1-activities/${p}`), 'v1-activities/operator-cli-cancel'].sort());
  });

  it('replays them all without nondeterminism', async () => {
    const files = [...current, ...legacy];
    const histories = files.map((f) => ({ workflowId: f.replace('.json', ''), history: loadHistory(f) }));
    const results = Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } }, histories);
    let replayed = 0;
    for await (const result of results) {
      expect({ id: result.workflowId, error: result.error?.message }).toEqual({ id: result.workflowId, error: undefined });
      replayed += 1;
    }
    expect(replayed).toBe(files.length);
  });

  it('replays a history whose confirm carried row_seen to a worker from before it, which read the row anyway', async () => {
    // The API may send the field before every worker knows it: such a worker ignores it and runs
    // the check (findReservation), and a worker of today must replay that history as it ran. The
    // operator's confirm recorded without the field stands in for it, with the field put in.
    const json = JSON.parse(readFileSync(path.join(HISTORIES_DIR, 'facts-from-input-confirmed.json'), 'utf8')) as HistoryJson;
    const decode = (data: string) => JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as Record<string, unknown>;
    const start = json.events[0].workflowExecutionStartedEventAttributes?.input?.payloads[0];
    const hold = decode(start?.data ?? '').hold as { showStartsAt: string; showEndsAt: string };
    const rowSeen: RowSeen = { status: 'held', show_starts_at: hold.showStartsAt, show_ends_at: hold.showEndsAt };
    const confirms = json.events.flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? []);
    expect(confirms).toHaveLength(1);
    confirms[0].data = Buffer.from(JSON.stringify({ ...decode(confirms[0].data), row_seen: rowSeen })).toString('base64');
    const codePath = process.env.TEST_WORKFLOW_BUNDLE as string;
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath } }, parseHistory(json), 'row-seen-ignored-by-an-older-worker')).resolves.toBeUndefined();
  });
});

interface PayloadJson {
  data: string;
}
interface HistoryJson {
  events: {
    workflowExecutionStartedEventAttributes?: { input?: { payloads: PayloadJson[] } };
    workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest?: { input?: { args?: { payloads: PayloadJson[] } } } };
  }[];
}
