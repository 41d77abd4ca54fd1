import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpClient } from './http';
import type { LatencyStats } from './measure';
import type { Latency } from './resultsSchema';
import { logLine } from './log';
import { cpuMs, stackCpu, stackCpuSince, type BenchStack } from './stack';

/** How much each measurement does: every loop is bounded by a count and a time. */
export interface BenchParams {
  mode: 'quick' | 'full';
  /** Time bound of one measured concurrency level. */
  levelMs: number;
  /** Count bound of one measured level, by clients. */
  maxOps: (clients: number) => number;
  /** Operations before each measured level, not counted. */
  warmupOps: (clients: number) => number;
  seatsPerHold: number;
  /** How long the no-op floor workflows wait on their timer. */
  noopWaitMs: number;
  /** Sold-out showtimes of 500 seats seeded before measuring: the booking history of a database in service. */
  historyShowtimes: number;
  contentionClients: number;
  contentionSeats: number;
  seatMapRequests: number;
  openHoldLevels: number[];
  /** Holds measured (at 1 client) at each open-holds level. */
  openHoldSample: number;
  /** Time bound for filling up to one open-holds level. */
  openHoldFillMs: number;
  /** Longest wait for the worker to work off a fill before the level's sample. */
  openHoldSettleMs: number;
  expiryHolds: number;
  expiryTtlSeconds: number;
  /** Longest wait for the worker to go idle between measurements. */
  settleMaxMs: number;
  /** The premiere: seats on sale, buyers arriving at once, requests in flight at most. */
  premiereSeats: number;
  premiereBuyers: number;
  premiereInFlight: number;
}

export function benchParams(mode: 'quick' | 'full'): BenchParams {
  const quick = mode === 'quick';
  return {
    mode,
    levelMs: quick ? 2_000 : 12_000,
    maxOps: (c) => (quick ? 150 + c * 20 : 1_500 + c * 100),
    warmupOps: (c) => Math.max(5, c * 2),
    seatsPerHold: 2,
    noopWaitMs: 30 * 60_000,
    historyShowtimes: quick ? 10 : 40,
    contentionClients: 500,
    contentionSeats: 20,
    seatMapRequests: quick ? 20 : 200,
    openHoldLevels: quick ? [100] : [100, 1_000, 5_000],
    openHoldSample: quick ? 30 : 100,
    openHoldFillMs: quick ? 10_000 : 100_000,
    openHoldSettleMs: quick ? 8_000 : 90_000,
    expiryHolds: quick ? 20 : 100,
    expiryTtlSeconds: 2,
    settleMaxMs: quick ? 4_000 : 30_000,
    premiereSeats: quick ? 100 : 500,
    premiereBuyers: quick ? 400 : 2_000,
    premiereInFlight: quick ? 100 : 200,
  };
}

export interface BenchContext {
  stack: BenchStack;
  params: BenchParams;
  /** The main API (default hold TTL). */
  api: HttpClient;
  /** Caveats for the report; every scenario may add some. */
  notes: string[];
  log(msg: string): void;
  /** Waits until the worker has worked off what the last measurement queued; returns the ms waited. */
  settle(): Promise<number>;
}

export { logLine };

/**
 * Waits (bounded) until the worker and the Temporal dev server have worked off what the last
 * measurement queued: each uses under ~7% of a core over 300 ms. (The worker alone can look idle
 * while the server still has a backlog of first workflow tasks to hand out.)
 */
export async function settleWorker(stack: BenchStack, maxMs: number): Promise<number> {
  const t0 = Date.now();
  const pids = [stack.worker.pid, ...stack.temporalPids];
  const read = () => pids.map((pid) => cpuMs(pid));
  let last = read();
  while (Date.now() - t0 < maxMs) {
    await sleep(300);
    const now = read();
    if (now.every((v, i) => v - last[i] <= 20)) return Date.now() - t0;
    last = now;
  }
  logLine(`the worker or the Temporal server was still busy after ${maxMs} ms; going on`);
  return Date.now() - t0;
}

/**
 * CPU time between `start()` and `stop(n)`, per operation, of every process an operation costs:
 * the API, the worker, the Temporal server, Postgres and this process (the clients). A hold's
 * and a plain start's totals bound what holds/s can reach against starts/s on a CPU-bound machine.
 */
export function cpuProbe(stack: BenchStack, withApi: boolean) {
  const apiPid = stack.api.proc.pid;
  const workerPid = stack.worker.pid;
  const api0 = cpuMs(apiPid);
  const worker0 = cpuMs(workerPid);
  const others0 = stackCpu(stack);
  const per = (ms: number, ops: number) => Math.round((Math.max(0, ms) / ops) * 100) / 100;
  return (ops: number): NonNullable<Latency['cpu']> | undefined => {
    if (ops <= 0) return undefined;
    const others = stackCpuSince(stack, others0);
    return {
      api_ms_per_op: withApi ? per(cpuMs(apiPid) - api0, ops) : null,
      worker_ms_per_op: per(cpuMs(workerPid) - worker0, ops),
      bench_ms_per_op: per(others.bench, ops),
      temporal_ms_per_op: per(others.temporal, ops),
      postgres_ms_per_op: per(others.postgres, ops),
    };
  };
}

/** A loop's statistics as stored, or null when nothing succeeded. */
export function asLatency(stats: LatencyStats, cpu?: Latency['cpu']): Latency | null {
  if (stats.n === 0) return null;
  return cpu ? { ...stats, cpu } : { ...stats };
}
