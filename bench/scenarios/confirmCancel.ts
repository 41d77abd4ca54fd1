import { UnexpectedResponse } from '../http';
import { asLatency, type BenchContext } from '../context';
import { closedLoop } from '../measure';
import type { Latency } from '../resultsSchema';
import type { HeldReservation } from './hold';

/**
 * Confirm (pm_card_visa, the fake provider's instant success) or cancel over HTTP, each on a
 * hold made earlier in the run, so every request should answer 200. The loop ends when the
 * holds run out, at the latest.
 */
export async function measureTransition(
  ctx: BenchContext,
  kind: 'confirm' | 'cancel',
  opts: { clients: number; holds: HeldReservation[] },
): Promise<Latency | null> {
  const expected = kind === 'confirm' ? 'confirmed' : 'cancelled';
  const queue = opts.holds;
  const warmup = Math.min(ctx.params.warmupOps(opts.clients), Math.floor(queue.length / 10));
  const result = await closedLoop({
    concurrency: opts.clients,
    maxOps: Math.min(ctx.params.maxOps(opts.clients), Math.max(0, queue.length - warmup)),
    maxMs: ctx.params.levelMs,
    warmupOps: warmup,
    op: async () => {
      const hold = queue.shift();
      if (!hold) throw new Error('no holds left');
      const body = kind === 'confirm' ? { payment_method: 'pm_card_visa' } : {};
      const res = await ctx.api.post<{ status: string }>(`/api/v1/reservations/${hold.id}/${kind}`, body, hold.token);
      if (res.status !== 200 || res.body.status !== expected) throw new UnexpectedResponse(`POST /reservations/:id/${kind}`, res.status, res.body);
    },
  });
  await ctx.settle();
  if (result.errors > 0) ctx.log(`${kind} c${opts.clients}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`);
  ctx.log(`${kind} c${opts.clients}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms, ${result.stats.per_s}/s (${result.stats.n} ok)`);
  return asLatency(result.stats);
}
