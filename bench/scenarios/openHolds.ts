import { WorkflowNotFoundError } from '@temporalio/common';
import { settleWorker, type BenchContext } from '../context';
import type { BenchUser, SeatPool } from '../fixtures';
import { closedLoop, forEachLimited } from '../measure';
import type { BenchResults } from '../resultsSchema';
import { rssMb } from '../stack';
import { postHold } from './hold';

type OpenHolds = BenchResults['open_holds'];
type Entry = NonNullable<OpenHolds['h100']>;

async function countHeld(ctx: BenchContext): Promise<number> {
  const [{ n }] = (await ctx.stack.knex.raw<{ rows: { n: number }[] }>(`SELECT count(*)::int AS n FROM reservations WHERE status = 'held'`)).rows;
  return n;
}

/**
 * Benchmark housekeeping before the open-holds measurement, so that "open holds" means exactly
 * the held reservations, each with its running workflow, and the worker's RSS starts from an
 * empty workflow cache: terminates the workflows of the holds left by earlier measurements,
 * marks those holds cancelled in SQL, and restarts the worker. The floors' no-op workflows and
 * the bookings keep sleeping on the server (their timers are not due before the run ends) and
 * are not in the new worker's cache. Nothing here is measured.
 */
export async function resetOpenWorkflows(ctx: BenchContext): Promise<void> {
  const { client, knex } = ctx.stack;
  const t0 = Date.now();
  const ids: string[] = await knex('reservations').whereIn('status', ['held', 'pending_payment']).pluck('workflow_id');
  let failed = 0;
  await forEachLimited(ids, 20, Date.now() + 120_000, async (id) => {
    await client.workflow
      .getHandle(id)
      .terminate('benchmark reset')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) failed += 1;
      });
  });
  await knex.transaction(async (trx) => {
    await trx.raw(
      `UPDATE reservation_seats SET is_active = false, updated_at = now()
        WHERE is_active AND reservation_id IN (SELECT id FROM reservations WHERE status IN ('held', 'pending_payment'))`,
    );
    await trx.raw(
      `UPDATE reservations SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'benchmark reset', refund_amount = 0, updated_at = now()
        WHERE status IN ('held', 'pending_payment')`,
    );
  });
  await ctx.stack.restartWorker();
  ctx.log(`reset: terminated the workflows of ${ids.length - failed} leftover holds${failed ? ` (${failed} failed)` : ''}, restarted the worker, in ${Date.now() - t0} ms`);
}

/**
 * Hold p50 (1 client) and the worker's RSS with 100, 1,000 and 5,000 open holds: the open
 * holds are made over HTTP at 50 clients (1 seat each), then a sample of holds is measured. Each
 * hold has a buyer of its own: with 50 accounts sharing them, every hold's purchase-limit count
 * grew with the open holds, and the sample's one account held them all.
 */
export async function measureOpenHolds(ctx: BenchContext, opts: { pool: SeatPool; nextUser: () => BenchUser }): Promise<OpenHolds> {
  const out: OpenHolds = { h100: null, h1000: null, h5000: null };
  ctx.log(`open holds: worker RSS ${rssMb(ctx.stack.worker.pid).toFixed(0)} MB with an empty cache`);
  for (const level of ctx.params.openHoldLevels) {
    const key = `h${level}` as keyof OpenHolds;
    const have = await countHeld(ctx);
    const t0 = Date.now();
    const fill = await closedLoop({
      concurrency: 50,
      maxOps: Math.max(0, level - have),
      maxMs: ctx.params.openHoldFillMs,
      op: async () => {
        const seats = opts.pool.take(1);
        if (!seats) throw new Error('the seat pool is used up');
        await postHold(ctx.api, opts.nextUser(), seats);
      },
    });
    const waited = await settleWorker(ctx.stack, ctx.params.openHoldSettleMs);
    const open = await countHeld(ctx);
    ctx.log(`open holds: ${open} held after filling ${fill.stats.n} in ${Date.now() - t0} ms (${waited} ms of it waiting for the worker)${fill.errors ? ` (${fill.errors} errors: ${fill.errorSamples[0]})` : ''}`);
    if (open < level) ctx.notes.push(`Open holds: only ${open} of ${level} holds could be made within ${ctx.params.openHoldFillMs / 1000} s; ${key} was measured at ${open}.`);

    const sample = await closedLoop({
      concurrency: 1,
      maxOps: ctx.params.openHoldSample,
      maxMs: ctx.params.levelMs * 2,
      warmupOps: 3,
      op: async () => {
        const seats = opts.pool.take(ctx.params.seatsPerHold);
        if (!seats) throw new Error('the seat pool is used up');
        await postHold(ctx.api, opts.nextUser(), seats);
      },
    });
    await ctx.settle();
    const rss = rssMb(ctx.stack.worker.pid);
    const entry: Entry | null = sample.stats.n > 0 ? { hold_p50: sample.stats.p50, worker_rss_mb: Math.round(rss * 10) / 10, open_holds: open } : null;
    out[key] = entry;
    ctx.log(`open holds ${open}: hold p50 ${sample.stats.p50} ms (p99 ${sample.stats.p99}), worker RSS ${rss.toFixed(0)} MB`);
  }
  const skipped = (['h100', 'h1000', 'h5000'] as const).filter((k) => !ctx.params.openHoldLevels.includes(Number(k.slice(1))));
  if (skipped.length) ctx.notes.push(`Open holds: ${skipped.join(', ')} not measured in --quick mode (filling them takes longer than a quick run may).`);
  return out;
}
