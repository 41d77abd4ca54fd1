import { readdirSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, loadHistory } from './helpers/histories';

/**
 * Every recorded history must replay on the current workflow code: a change that would break
 * running reservations fails here (guard it with patched() and re-record).
 */
describe('replaying recorded reservation histories', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

  it('has recordings of every path through the workflow', () => {
    expect(files.map((f) => f.replace('.json', '')).sort()).toEqual([
      'abandoned',
      'async-payment-confirmed',
      'async-payment-failed-then-confirmed',
      'confirmed-then-cancelled-with-refund',
      'confirmed-then-completed',
      'declined-then-confirmed',
      'hold-cancelled',
      'hold-expired',
      'operator-cancel-signal',
      // Saved from `temporal workflow show -o json` (the Web UI's download has the same form).
      'operator-cli-cancel',
    ]);
  });

  it('replays them all without nondeterminism', async () => {
    const histories = files.map((f) => ({
      workflowId: f.replace('.json', ''),
      history: loadHistory(f),
    }));
    const results = Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } }, histories);
    let replayed = 0;
    for await (const result of results) {
      expect({ id: result.workflowId, error: result.error?.message }).toEqual({ id: result.workflowId, error: undefined });
      replayed += 1;
    }
    expect(replayed).toBe(files.length);
  });
});
