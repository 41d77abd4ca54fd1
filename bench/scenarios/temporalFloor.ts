import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { asLatency, cpuProbe, type BenchContext } from '../context';
import { closedLoop } from '../measure';
import { totalCpuMs, type Latency } from '../resultsSchema';
import { noopWorkflow } from '../workflows/noop';
import { noopUpdate, noopWithUpdateWorkflow } from '../workflows/noopWithUpdate';

/**
 * The Temporal floor: a plain client.workflow.start of a workflow that only waits on a timer,
 * from a client in this process, on the run's dev server and the app's task queue (so the
 * worker takes each first workflow task, as it does for a hold).
 */
export async function measureWorkflowStart(ctx: BenchContext, clients: number): Promise<Latency | null> {
  const run = randomUUID().slice(0, 8);
  let stop: ReturnType<typeof cpuProbe> | undefined;
  const result = await closedLoop({
    concurrency: clients,
    maxOps: ctx.params.maxOps(clients),
    maxMs: ctx.params.levelMs,
    warmupOps: ctx.params.warmupOps(clients),
    op: async (i) => {
      if (i === 0) stop = cpuProbe(ctx.stack, false);
      await ctx.stack.client.workflow.start(noopWorkflow, {
        workflowId: `bench-noop-${run}-${i}`,
        taskQueue: ctx.stack.taskQueue,
        args: [ctx.params.noopWaitMs],
      });
    },
  });
  await ctx.settle();
  const cpu = stop?.(result.stats.n + result.errors);
  if (result.errors > 0) ctx.log(`workflow start c${clients}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`);
  ctx.log(`workflow start c${clients}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms, ${result.stats.per_s}/s; CPU per start: worker ${cpu?.worker_ms_per_op ?? '–'} ms, Temporal ${cpu?.temporal_ms_per_op ?? '–'} ms, all ${totalCpuMs(cpu)?.toFixed(2) ?? '–'} ms`);
  return asLatency(result.stats, cpu);
}

/** Update-with-Start of a no-op workflow: waits for the worker's first workflow task. */
export async function measureUpdateWithStart(ctx: BenchContext, clients: number): Promise<Latency | null> {
  const run = randomUUID().slice(0, 8);
  const result = await closedLoop({
    concurrency: clients,
    maxOps: ctx.params.maxOps(clients),
    maxMs: ctx.params.levelMs,
    warmupOps: ctx.params.warmupOps(clients),
    op: async (i) => {
      const startWorkflowOperation = new WithStartWorkflowOperation(noopWithUpdateWorkflow, {
        workflowId: `bench-uws-${run}-${i}`,
        taskQueue: ctx.stack.taskQueue,
        args: [ctx.params.noopWaitMs],
        workflowIdConflictPolicy: 'FAIL',
      });
      const answer = await ctx.stack.client.workflow.executeUpdateWithStart(noopUpdate, { args: ['ok'], startWorkflowOperation });
      if (answer !== 'ok') throw new Error(`unexpected update result ${answer}`);
    },
  });
  await ctx.settle();
  if (result.errors > 0) ctx.log(`update-with-start c${clients}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`);
  ctx.log(`update-with-start c${clients}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms, ${result.stats.per_s}/s`);
  return asLatency(result.stats);
}
