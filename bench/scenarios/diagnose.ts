import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/knex';
import { createHold } from '../../src/reservations/createHold';
import { noopWorkflow } from '../workflows/noop';
import { searchAttributes } from '../../workflows/shared';
import type { BenchContext } from '../context';
import { createBenchShowtime, sellSeats, type BenchUser, type SeatPool } from '../fixtures';
import { closedLoop, percentile, round } from '../measure';

/**
 * `--diagnose`: where a hold's milliseconds go, measured in bench-only code without touching
 * src/. Nothing here feeds latest.json's main figures; the findings go to the log and to
 * bench/results/diagnose.json.
 */

type Step = 'validate+begin' | 'advisory lock' | 'insert reservation' | 'insert seats' | 're-check' | 'workflow start' | 'commit' | 'total';
// 'validate+begin': from the call to the advisory lock query (the three validation queries in
// parallel, a pooled connection for the transaction, BEGIN); 'commit': from the start's answer
// to createHold's return (COMMIT and building the answer).

interface OpTrace {
  t0: number;
  steps: Partial<Record<Step, number>>;
  lockStart?: number;
  startEnd?: number;
}

function classify(sql: string): Step | 'validation query' | 'begin' | null {
  const s = sql.toLowerCase();
  if (s.startsWith('begin')) return 'begin';
  if (s.startsWith('commit')) return 'commit';
  if (s.includes('pg_advisory_xact_lock')) return 'advisory lock';
  if (s.startsWith('insert into "reservations"')) return 'insert reservation';
  if (s.startsWith('insert into "reservation_seats"')) return 'insert seats';
  if (s.includes('as showtime_ok')) return 're-check';
  if (s.startsWith('select')) return 'validation query';
  return null;
}

/**
 * Runs the real createHold (src/reservations/createHold.ts) in this process with its knex
 * pool and Temporal client wrapped to time each step: the three validation queries (in
 * parallel), getting a pooled connection + BEGIN, the advisory lock, the two inserts, the
 * workflow start, COMMIT. Compared with the HTTP hold's p50 this shows what HTTP, auth and
 * the API process add.
 */
export async function holdSteps(ctx: BenchContext, opts: { clients: number; ops: number; pool: SeatPool; users: BenchUser[] }) {
  const knex: Knex = createKnex(ctx.stack.databaseUrl);
  const als = new AsyncLocalStorage<OpTrace>();
  const started = new Map<string, { at: number; kind: ReturnType<typeof classify>; trace: OpTrace }>();
  knex.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    const trace = als.getStore();
    if (!trace) return;
    const kind = classify(q.sql);
    const at = performance.now();
    if (kind === 'advisory lock') trace.lockStart = at;
    started.set(q.__knexQueryUid, { at, kind, trace });
  });
  const finished = (_r: unknown, q: { __knexQueryUid: string }) => {
    const s = started.get(q.__knexQueryUid);
    if (!s) return;
    started.delete(q.__knexQueryUid);
    const now = performance.now();
    const { trace } = s;
    if (s.kind && s.kind !== 'begin' && s.kind !== 'validation query') trace.steps[s.kind] = (trace.steps[s.kind] ?? 0) + (now - s.at);
  };
  knex.on('query-response', finished);
  knex.on('query-error', (_e: unknown, q: { __knexQueryUid: string }) => finished(undefined, q));

  const real = ctx.stack.client;
  let firstCause = '';
  // The real client, with workflow.start timed; everything else (connection, deadlines) passes through.
  const workflow = new Proxy(real.workflow, {
    get(target, prop, receiver) {
      if (prop !== 'start') return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<Client['workflow']['start']>) => {
        const trace = als.getStore();
        const s = performance.now();
        try {
          return await target.start(...args);
        } catch (err) {
          firstCause ||= String((err as Error).stack ?? err);
          throw err;
        } finally {
          if (trace) {
            trace.startEnd = performance.now();
            trace.steps['workflow start'] = trace.startEnd - s;
          }
        }
      };
    },
  });
  const temporal = new Proxy(real, { get: (target, prop, receiver) => (prop === 'workflow' ? workflow : Reflect.get(target, prop, receiver)) });
  const config = { holdTtlSeconds: 600, cancellationCutoffMinutes: 60, purchaseLimits: { seatsPerReservation: 0, openHoldsPerShowtime: 0, seatsPerShowtime: 0 }, temporal: { address: ctx.stack.temporalAddress, namespace: 'default', taskQueue: ctx.stack.taskQueue } };

  const traces: OpTrace[] = [];
  try {
    const result = await closedLoop({
      concurrency: opts.clients,
      maxOps: opts.ops,
      maxMs: ctx.params.levelMs * 2,
      warmupOps: 5,
      op: async (i, client) => {
        const seats = opts.pool.take(ctx.params.seatsPerHold);
        if (!seats) throw new Error('the seat pool is used up');
        const u = opts.users[client % opts.users.length];
        const trace: OpTrace = { t0: performance.now(), steps: {} };
        await als
          .run(trace, () => createHold({ knex, temporal, config }, { id: u.id, role: 'user', email: 'bench@example.test', name: 'Bench' }, seats))
          .catch((err: unknown) => {
            const cause = (err as { cause?: unknown }).cause;
            throw new Error(`${(err as Error).message}${cause ? ` (cause: ${cause instanceof Error ? cause.message : String(cause)})` : ''}`);
          });
        const end = performance.now();
        trace.steps['validate+begin'] = (trace.lockStart ?? trace.t0) - trace.t0;
        trace.steps.commit = end - (trace.startEnd ?? end);
        trace.steps.total = end - trace.t0;
        if (i >= 0) traces.push(trace);
      },
    });
    if (result.errors) ctx.log(`hold steps c${opts.clients}: ${result.errors} errors: ${result.errorSamples.join(' | ')} ${firstCause}`);
  } finally {
    await knex.destroy();
  }
  const steps: Step[] = ['validate+begin', 'advisory lock', 'insert reservation', 'insert seats', 're-check', 'workflow start', 'commit', 'total'];
  const out: Record<string, { p50: number; p95: number }> = {};
  for (const step of steps) {
    const v = traces.map((t) => t.steps[step] ?? 0).sort((a, b) => a - b);
    out[step] = { p50: round(percentile(v, 50), 2), p95: round(percentile(v, 95), 2) };
  }
  ctx.log(`hold steps in-process c${opts.clients} (${traces.length} holds), p50 / p95 ms: ${steps.map((s) => `${s} ${out[s].p50}/${out[s].p95}`).join(', ')}`);
  return out;
}

/** The Temporal floor again, with the memo and the four search attributes a hold's start carries. */
export async function startWithMemo(ctx: BenchContext, clients: number) {
  const run = randomUUID().slice(0, 8);
  const result = await closedLoop({
    concurrency: clients,
    maxOps: ctx.params.maxOps(clients),
    maxMs: ctx.params.levelMs,
    warmupOps: ctx.params.warmupOps(clients),
    op: async (i) => {
      await ctx.stack.client.workflow.start(noopWorkflow, {
        workflowId: `bench-noop-sa-${run}-${i}`,
        taskQueue: ctx.stack.taskQueue,
        args: [ctx.params.noopWaitMs],
        workflowIdConflictPolicy: 'USE_EXISTING',
        memo: { user_email: 'bench@example.test', movie_title: 'Movie', showtime_starts_at: new Date().toISOString(), seats: 'A1, A2', total_price: '20.00' },
        typedSearchAttributes: [
          { key: searchAttributes.ReservationStatus, value: 'held' },
          { key: searchAttributes.ShowtimeId, value: 1 },
          { key: searchAttributes.UserId, value: 1 },
          { key: searchAttributes.HoldExpiresAt, value: new Date(Date.now() + 600_000) },
        ],
      });
    },
  });
  await ctx.settle();
  ctx.log(`workflow start with memo + search attributes c${clients}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms, ${result.stats.per_s}/s`);
  return result.stats;
}

/**
 * The race for the last seats in SQL alone, with the hold's transaction and a stand-in for the
 * workflow start inside it (a sleep of `startMs`), through a pool of 20 like the API's:
 * `current` is the hold's statements as they are (a loser's INSERT .. ON CONFLICT DO NOTHING
 * waits for the winner's transaction to end); `try_lock` first takes a per-seat
 * pg_try_advisory_xact_lock and answers 409 at once when another transaction has it;
 * `lock_timeout` sets lock_timeout = 20ms before the seat insert and answers 409 on 55P03.
 */
export async function sqlRace(ctx: BenchContext, opts: { clients: number; startMs: number; users: BenchUser[] }) {
  const variants = ['current', 'try_lock', 'lock_timeout'] as const;
  const out: Record<string, { winners: number; loser_p50: number; loser_p99: number; winner_p50: number }> = {};
  for (const variant of variants) {
    const knex = createKnex(ctx.stack.databaseUrl);
    try {
      const st = await createBenchShowtime(ctx.stack.knex, 100);
      await sellSeats(ctx.stack.knex, st.id, st.seatIds.slice(0, 80), opts.users[0].id);
      const free = st.seatIds.slice(80);
      // Open the pool's connections first.
      await Promise.all(Array.from({ length: 20 }, () => knex.raw('SELECT 1')));
      const outcomes = await Promise.all(
        Array.from({ length: opts.clients }, async (_, i) => {
          const seat = free[i % free.length];
          const t = performance.now();
          const won = await knex.transaction(async (trx) => {
            const id = randomUUID();
            const taken = await trx('reservation_seats').where({ showtime_id: st.id, seat_id: seat, is_active: true }).first('id');
            if (taken) return false;
            await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [id]);
            await trx('reservations').insert({
              id,
              user_id: opts.users[i % opts.users.length].id,
              showtime_id: st.id,
              status: 'held',
              total_price: '10.00',
              hold_expires_at: new Date(Date.now() + 600_000),
              workflow_id: `bench-race-${id}`,
            });
            if (variant === 'try_lock') {
              const { rows } = await trx.raw<{ rows: { ok: boolean }[] }>('SELECT pg_try_advisory_xact_lock(hashtextextended(?, 1)) AS ok', [`seat:${st.id}:${seat}`]);
              if (!rows[0].ok) throw new Lost();
            }
            if (variant === 'lock_timeout') await trx.raw(`SET LOCAL lock_timeout = '20ms'`);
            let held: unknown[];
            try {
              held = await trx('reservation_seats')
                .insert({ reservation_id: id, showtime_id: st.id, seat_id: seat, price_at_booking: '10.00' })
                .onConflict()
                .ignore()
                .returning('seat_id');
            } catch (err) {
              if ((err as { code?: string }).code === '55P03') throw new Lost();
              throw err;
            }
            if (held.length === 0) throw new Lost();
            await new Promise((r) => setTimeout(r, opts.startMs));
            return true;
          }).catch((err: unknown) => {
            if (err instanceof Lost) return false;
            throw err;
          });
          return { won, ms: performance.now() - t };
        }),
      );
      const w = outcomes.filter((o) => o.won).map((o) => o.ms).sort((a, b) => a - b);
      const l = outcomes.filter((o) => !o.won).map((o) => o.ms).sort((a, b) => a - b);
      out[variant] = { winners: w.length, loser_p50: round(percentile(l, 50), 1), loser_p99: round(percentile(l, 99), 1), winner_p50: round(percentile(w, 50), 1) };
      ctx.log(`SQL race, ${variant}: ${w.length} winners; losers p50 ${out[variant].loser_p50} p99 ${out[variant].loser_p99} ms; winners p50 ${out[variant].winner_p50} ms (start stand-in ${opts.startMs} ms)`);
    } finally {
      await knex.destroy();
    }
  }
  return out;
}

class Lost extends Error {}

/**
 * Paced: one operation at a time with a pause before each, so the previous one's workflow work
 * (worker and dev server) is done when the next starts. Compared with the closed loop at 1
 * client, the difference is what a hold pays for the work its predecessor left behind.
 */
export async function paced(ctx: BenchContext, what: string, ops: number, pauseMs: number, op: () => Promise<void>) {
  const latencies: number[] = [];
  const deadline = Date.now() + Math.max(10_000, ops * (pauseMs + 500));
  for (let i = 0; i < ops && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    const s = performance.now();
    await op();
    latencies.push(performance.now() - s);
  }
  latencies.sort((a, b) => a - b);
  const out = { p50: round(percentile(latencies, 50), 2), p95: round(percentile(latencies, 95), 2), n: latencies.length };
  ctx.log(`paced ${what} (${pauseMs} ms apart): p50 ${out.p50} p95 ${out.p95} ms over ${out.n}`);
  return out;
}

const eventName = (t: unknown) => String(temporal.api.enums.v1.EventType[Number(t)] ?? t).replace(/^EVENT_TYPE_/, '');

/**
 * What one workflow costs the dev server, from its history: events and workflow/activity tasks
 * up to the first timer (a hold is armed when its expiry timer starts), and the time from the
 * start to that timer.
 */
export async function historyCost(ctx: BenchContext, workflowIds: string[]) {
  const perWorkflow: { events: number; workflowTasks: number; activities: number; untilTimerMs: number; sequence: string }[] = [];
  for (const id of workflowIds) {
    const history = await ctx.stack.client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const timerAt = events.findIndex((e) => eventName(e.eventType) === 'TIMER_STARTED');
    const upTo = timerAt >= 0 ? events.slice(0, timerAt + 1) : events;
    const t0 = tsToMs(events[0]?.eventTime);
    perWorkflow.push({
      events: upTo.length,
      workflowTasks: upTo.filter((e) => eventName(e.eventType) === 'WORKFLOW_TASK_COMPLETED').length,
      activities: upTo.filter((e) => eventName(e.eventType) === 'ACTIVITY_TASK_SCHEDULED').length,
      untilTimerMs: timerAt >= 0 ? tsToMs(events[timerAt].eventTime) - t0 : Number.NaN,
      sequence: upTo.map((e) => `${eventName(e.eventType)} +${tsToMs(e.eventTime) - t0}`).join(', '),
    });
  }
  const med = (f: (p: (typeof perWorkflow)[number]) => number) => round(percentile(perWorkflow.map(f).sort((a, b) => a - b), 50), 1);
  return {
    events_until_timer: med((p) => p.events),
    workflow_tasks_until_timer: med((p) => p.workflowTasks),
    activities_until_timer: med((p) => p.activities),
    start_to_timer_ms_p50: med((p) => p.untilTimerMs),
    example: perWorkflow[0]?.sequence ?? '',
  };
}

/**
 * Where a confirm's milliseconds go, from the reservation workflow's history: each event from
 * the update's acceptance to its completion, with the median time since the previous event.
 */
export async function confirmTimeline(ctx: BenchContext, workflowIds: string[]) {
  const rows: { name: string; deltas: number[] }[] = [];
  for (const id of workflowIds) {
    const events = (await ctx.stack.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const from = events.findIndex((e) => eventName(e.eventType) === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
    const to = events.findIndex((e) => eventName(e.eventType) === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED');
    if (from < 1 || to < from) continue;
    // Start at the workflow task that took the update in.
    let begin = from;
    while (begin > 0 && eventName(events[begin].eventType) !== 'WORKFLOW_TASK_SCHEDULED') begin--;
    const slice = events.slice(begin, to + 1);
    slice.forEach((e, i) => {
      const d = i === 0 ? 0 : tsToMs(e.eventTime) - tsToMs(slice[i - 1].eventTime);
      rows[i] ??= { name: eventName(e.eventType), deltas: [] };
      if (rows[i].name === eventName(e.eventType)) rows[i].deltas.push(d);
    });
  }
  const steps = rows.map((r) => ({ event: r.name, ms_since_previous_p50: round(percentile([...r.deltas].sort((a, b) => a - b), 50), 1) }));
  ctx.log(`confirm, from its workflow history (p50 ms since the previous event): ${steps.map((s) => `${s.event} +${s.ms_since_previous_p50}`).join(', ')}`);
  return steps;
}
