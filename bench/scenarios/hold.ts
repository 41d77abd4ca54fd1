import { UnexpectedResponse, type HttpClient } from '../http';
import { asLatency, cpuProbe, type BenchContext } from '../context';
import type { BenchUser, SeatPool } from '../fixtures';
import { closedLoop } from '../measure';
import { totalCpuMs, type Latency } from '../resultsSchema';

/** A hold the benchmark made, with its owner's token, for the confirm and cancel measurements. */
export interface HeldReservation {
  id: string;
  token: string;
}

interface CreatedReservation {
  id: string;
  status: string;
  expires_at: string;
}

/** One POST /api/v1/reservations for distinct free seats; throws unless 201. */
export async function postHold(api: HttpClient, user: BenchUser, seats: { showtime_id: number; seat_ids: number[] }): Promise<CreatedReservation> {
  const res = await api.post<CreatedReservation>('/api/v1/reservations', seats, user.token);
  if (res.status !== 201) throw new UnexpectedResponse('POST /reservations', res.status, res.body);
  return res.body;
}

/**
 * Holds over HTTP: `clients` concurrent clients (each its own keep-alive connection), each hold
 * for distinct seats by a buyer of its own (`nextUser`), so every request should answer 201.
 */
export async function measureHold(
  ctx: BenchContext,
  opts: { clients: number; pool: SeatPool; nextUser: () => BenchUser; held: HeldReservation[] },
): Promise<Latency | null> {
  const { clients, pool, nextUser, held } = opts;
  const probe = { stop: undefined as undefined | ReturnType<typeof cpuProbe> };
  const result = await closedLoop({
    concurrency: clients,
    maxOps: ctx.params.maxOps(clients),
    maxMs: ctx.params.levelMs,
    warmupOps: ctx.params.warmupOps(clients),
    op: async (i) => {
      if (i === 0) probe.stop = cpuProbe(ctx.stack, true);
      const seats = pool.take(ctx.params.seatsPerHold);
      if (!seats) throw new Error('the seat pool is used up');
      const user = nextUser();
      const body = await postHold(ctx.api, user, seats);
      held.push({ id: body.id, token: user.token });
    },
  });
  await ctx.settle();
  const cpu = probe.stop?.(result.stats.n + result.errors);
  if (result.errors > 0) ctx.log(`hold c${clients}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`);
  ctx.log(
    `hold c${clients}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms, ${result.stats.per_s}/s (${result.stats.n} ok); CPU per hold: API ${cpu?.api_ms_per_op ?? '–'} ms, worker ${cpu?.worker_ms_per_op ?? '–'} ms, Temporal ${cpu?.temporal_ms_per_op ?? '–'} ms, Postgres ${cpu?.postgres_ms_per_op ?? '–'} ms, all ${totalCpuMs(cpu)?.toFixed(2) ?? '–'} ms`,
  );
  return asLatency(result.stats, cpu);
}
