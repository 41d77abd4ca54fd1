import { z } from 'zod';

/**
 * The shape of bench/results/latest.json. Times are milliseconds, rates are per second.
 * A measurement that could not be taken (skipped in --quick, or every operation failed) is
 * null, and `notes` says why.
 */
const ms = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();

/** CPU time the app's processes spent per operation (from /proc/<pid>/stat), when measured. */
export const CpuPerOpSchema = z.object({
  /** The API process (null where the operation does not go through it). */
  api_ms_per_op: ms.nullable(),
  worker_ms_per_op: ms,
  /** The benchmark's own process: the HTTP client, or the Temporal client of the floor. */
  bench_ms_per_op: ms.optional(),
  /** The Temporal dev server's processes. */
  temporal_ms_per_op: ms.optional(),
  /** Every `postgres` process on the machine (backends that exit meanwhile are lost: a lower bound). */
  postgres_ms_per_op: ms.optional(),
});

/** An operation's CPU on all the processes measured, in ms; null when not measured. */
export const totalCpuMs = (cpu: z.infer<typeof CpuPerOpSchema> | undefined): number | null =>
  cpu ? (cpu.api_ms_per_op ?? 0) + cpu.worker_ms_per_op + (cpu.bench_ms_per_op ?? 0) + (cpu.temporal_ms_per_op ?? 0) + (cpu.postgres_ms_per_op ?? 0) : null;

export const LatencySchema = z.object({
  p50: ms,
  p95: ms,
  p99: ms,
  per_s: ms,
  /** Successful operations measured. */
  n: count,
  /** Failed operations (not in the latencies). */
  errors: count,
  cpu: CpuPerOpSchema.optional(),
});

const maybe = <T extends z.ZodTypeAny>(schema: T) => schema.nullable();

export const SeatMapEntrySchema = z.object({
  p50: ms,
  p99: ms,
  /** `http`: GET /api/v1/showtimes/:id/seats; `sql`: the equivalent single query (route not there yet). */
  via: z.enum(['http', 'sql']),
  n: count,
});

export const OpenHoldsEntrySchema = z.object({
  hold_p50: ms,
  worker_rss_mb: ms,
  /** Held reservations (each with its running workflow) when the hold sample was taken. */
  open_holds: count,
});

export const SeatEventsSchema = z.object({
  /** Open GET /showtimes/:id/seats/events streams on the one API process. */
  subscribers: count,
  /** From a hold's 201 to its `seats` event at each subscriber. */
  fanout_p50: ms,
  fanout_p99: ms,
  /** The API's RSS with the streams open. */
  api_rss_mb: ms,
  /** How much the streams added to the API's RSS. */
  api_rss_growth_mb: z.number().finite(),
});

export const PremiereSchema = z.object({
  seats: count,
  buyers: count,
  sold_seats: count,
  double_bookings: count,
  /** Free seats left with no free neighbour in their row. */
  orphan_singles: count,
  /** Buyers refused while the showtime could still seat them (a lower bound: see the notes). */
  refused_while_available: count,
  /** From the first request to the last successful hold's answer. */
  time_to_sellout_s: ms,
  /** A buyer's time from the first request to the final answer, retries included. */
  buyer_p50: ms,
  buyer_p99: ms,
  /** From a burst of holds that all succeed (a showtime with room for every buyer), at the rush's concurrency. */
  api_cpu_ms_per_hold: ms.nullable(),
  /** From a burst of requests at the sold-out showtime. */
  api_cpu_ms_per_refusal: ms.nullable(),
  /** The rush's API CPU divided by its requests, holds and refusals alike (waits for in-flight seats included). */
  api_cpu_ms_per_request: ms.nullable().optional(),
  /** Buyers whose last answer was neither 201 nor 409. */
  errors: count.optional(),
});

export const TargetSchema = z.object({
  name: z.string(),
  /** What was measured; null when it was not. */
  value: z.number().finite().nullable(),
  /** The threshold it is compared with (already computed from the rule). */
  target: z.number().finite().nullable(),
  met: z.boolean().nullable(),
  rule: z.string(),
});

export const ResultsSchema = z.object({
  hold: z.object({ c1: maybe(LatencySchema), c10: maybe(LatencySchema), c50: maybe(LatencySchema) }),
  confirm: z.object({ c1: maybe(LatencySchema), c10: maybe(LatencySchema) }),
  cancel: z.object({ c1: maybe(LatencySchema) }),
  temporal_start: z.object({ c1: maybe(LatencySchema), c10: maybe(LatencySchema), c50: maybe(LatencySchema) }),
  update_with_start: z.object({ c1: maybe(LatencySchema), c10: maybe(LatencySchema) }),
  postgres_hold: z.object({ c1: maybe(LatencySchema), c10: maybe(LatencySchema) }),
  contention: maybe(
    z.object({
      clients: count,
      seats: count,
      winners: count,
      losers: count,
      errors: count,
      double_bookings: count,
      loser_p50: ms,
      loser_p99: ms,
      winner_p50: ms.nullable(),
      /** Most backends seen at once waiting on a winner's uncommitted row (pg_stat_activity). */
      max_lock_waiters: count.optional(),
      /** For reference: a 409 with no race (the seat's hold has committed), p50 at 1 client. */
      uncontended_409_p50: ms.nullable().optional(),
    }),
  ),
  seat_map: z.object({
    s100_sold0: maybe(SeatMapEntrySchema),
    s100_sold90: maybe(SeatMapEntrySchema),
    s600_sold0: maybe(SeatMapEntrySchema),
    s600_sold90: maybe(SeatMapEntrySchema),
    s2000_sold0: maybe(SeatMapEntrySchema),
    s2000_sold90: maybe(SeatMapEntrySchema),
  }),
  open_holds: z.object({ h100: maybe(OpenHoldsEntrySchema), h1000: maybe(OpenHoldsEntrySchema), h5000: maybe(OpenHoldsEntrySchema) }),
  expiry_lag: maybe(z.object({ p50: ms, max: ms, n: count, ttl_seconds: count })),
  seat_events: maybe(SeatEventsSchema),
  /** Optional: results written before the premiere scenario existed have neither. */
  premiere: maybe(PremiereSchema).optional(),
  /** The premiere's floor: as many bare Postgres holds plus plain workflow starts, same concurrency. */
  premiere_floor: maybe(z.object({ time_to_sellout_s: ms })).optional(),
  /** The confirm's floor: an Update on a running workflow that runs one activity and replies. */
  confirm_floor: z.object({ c1: maybe(LatencySchema) }).optional(),
  machine: z.object({
    cpus: count,
    node: z.string(),
    temporal_cli: z.string(),
    at: z.iso.datetime(),
    mode: z.enum(['quick', 'full']),
    loadavg: z.array(z.number()).optional(),
    duration_s: ms.optional(),
  }),
  targets: z.array(TargetSchema),
  notes: z.array(z.string()),
});

export type BenchResults = z.infer<typeof ResultsSchema>;
export type Latency = z.infer<typeof LatencySchema>;
export type Target = z.infer<typeof TargetSchema>;
/** Everything the scenarios measure; the report builder adds the targets. */
export type Measured = Omit<BenchResults, 'targets'>;
