import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Latency figures of one measurement, in milliseconds, and its throughput. */
export interface LatencyStats {
  p50: number;
  p95: number;
  p99: number;
  /** Completed (successful) operations per second of wall time. */
  per_s: number;
  /** Successful operations measured. */
  n: number;
  /** Operations that failed (not counted in the latencies). */
  errors: number;
}

/** Nearest-rank percentile of an ascending list; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const round = (v: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export function summarize(latencies: readonly number[], wallMs: number, errors = 0): LatencyStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50), 2),
    p95: round(percentile(sorted, 95), 2),
    p99: round(percentile(sorted, 99), 2),
    per_s: wallMs > 0 ? round((sorted.length * 1000) / wallMs, 1) : 0,
    n: sorted.length,
    errors,
  };
}

export interface LoopOptions {
  /** Clients running at once, each issuing its next operation when the last one is answered. */
  concurrency: number;
  /** Upper bound on operations started (measured ones; warm-up ones come on top). */
  maxOps: number;
  /** Upper bound on the measured loop's wall time: no operation starts after it. */
  maxMs: number;
  /** Operations run (at the same concurrency) before measuring, not counted. */
  warmupOps?: number;
  /** One operation. `i` is unique per loop (warm-up ops use negative numbers); `client` is 0..concurrency-1. */
  op: (i: number, client: number) => Promise<void>;
}

export interface LoopResult {
  latencies: number[];
  wallMs: number;
  errors: number;
  /** The first few distinct error messages, for the log. */
  errorSamples: string[];
  stats: LatencyStats;
}

const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 300);

/**
 * A closed loop: `concurrency` clients, each running operations back to back, until `maxOps`
 * operations have started or `maxMs` has passed. Latency is measured per operation.
 */
export async function closedLoop(opts: LoopOptions): Promise<LoopResult> {
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const errorSamples: string[] = [];
  const noteError = (err: unknown) => {
    const msg = describeError(err);
    if (errorSamples.length < 5 && !errorSamples.includes(msg)) errorSamples.push(msg);
  };

  const warmup = Math.max(0, Math.floor(opts.warmupOps ?? 0));
  if (warmup > 0) {
    let next = 0;
    const warmDeadline = performance.now() + Math.max(5_000, opts.maxMs);
    await Promise.all(
      Array.from({ length: Math.min(concurrency, warmup) }, async (_, client) => {
        while (next < warmup && performance.now() < warmDeadline) {
          const i = next++;
          await opts.op(-1 - i, client).catch(noteError);
        }
      }),
    );
  }

  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const t0 = performance.now();
  const deadline = t0 + opts.maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      while (started < opts.maxOps && performance.now() < deadline) {
        const i = started++;
        const s = performance.now();
        try {
          await opts.op(i, client);
          latencies.push(performance.now() - s);
        } catch (err) {
          errors += 1;
          noteError(err);
        }
      }
    }),
  );
  const wallMs = performance.now() - t0;
  return { latencies, wallMs, errors, errorSamples, stats: summarize(latencies, wallMs, errors) };
}

/** Thrown from a `waitFor` check to stop waiting at once. */
export class Fatal extends Error {}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, opts: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof Fatal) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? `: ${describeError(lastError)}` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

/** Runs `fn` over `items` with at most `concurrency` at a time, stopping at `deadline` (epoch ms). */
export async function forEachLimited<T>(items: readonly T[], concurrency: number, deadline: number, fn: (item: T, i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      while (next < items.length && Date.now() < deadline) {
        const i = next++;
        await fn(items[i], i);
        done += 1;
      }
    }),
  );
  return done;
}
