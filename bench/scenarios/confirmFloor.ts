import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { asLatency, type BenchContext } from '../context';
import { closedLoop } from '../measure';
import type { Latency } from '../resultsSchema';
import { pingOnUpdateWorkflow, pingUpdate } from '../workflows/pingOnUpdate';

/**
 * The confirm's floor: an Update on a running workflow whose handler runs one activity and
 * replies, from a client in this process. The workflows are started (and have run their first
 * task) before the loop, as a hold's workflow has by the time its buyer pays.
 */
export async function measureConfirmFloor(ctx: BenchContext, clients: number): Promise<Latency | null> {
  const ops = Math.min(ctx.params.maxOps(clients), 200) + ctx.params.warmupOps(clients);
  const run = randomUUID().slice(0, 8);
  const handles: WorkflowHandle[] = [];
  for (let i = 0; i < ops; i++) {
    handles.push(
      await ctx.stack.client.workflow.start(pingOnUpdateWorkflow, { workflowId: `bench-confirm-floor-${run}-${i}`, taskQueue: ctx.stack.taskQueue, args: [ctx.params.noopWaitMs] }),
    );
  }
  await ctx.settle();
  const result = await closedLoop({
    concurrency: clients,
    maxOps: ops - ctx.params.warmupOps(clients),
    maxMs: ctx.params.levelMs,
    warmupOps: ctx.params.warmupOps(clients),
    op: async () => {
      // Each Update on a workflow of its own, as each confirm is on its own hold.
      const handle = handles.shift();
      if (!handle) throw new Error('no workflows left');
      await handle.executeUpdate(pingUpdate);
    },
  });
  await ctx.settle();
  if (result.errors > 0) ctx.log(`confirm floor c${clients}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`);
  ctx.log(`confirm floor c${clients} (an Update running one activity): p50 ${result.stats.p50} p99 ${result.stats.p99} ms`);
  return asLatency(result.stats);
}
