import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client as PgClient } from 'pg';
import type { BenchContext } from '../context';
import { stackCpu, stackCpuSince, treeCpuMs } from '../stack';
import { createBenchShowtime, sellSeats, type BenchUser } from '../fixtures';
import { closedLoop, percentile, round } from '../measure';
import type { BenchResults } from '../resultsSchema';

type Contention = NonNullable<BenchResults['contention']>;

interface Sample {
  t: number;
  /** Backends waiting on another transaction's row (a loser's insert waiting for a winner). */
  rowLock: number;
  /** Backends waiting on an advisory lock (the worker's findReservation waiting for a hold's commit). */
  advisory: number;
  lock: number;
  idleInTx: number;
  active: number;
}

/**
 * The race for the last seats: a showtime whose seats are all sold but `seats` of them, and
 * `clients` clients (each its own user and connection, connections opened beforehand) that
 * each ask, all at the same moment, for one of those seats: client i wants seat i mod `seats`,
 * so each seat has clients/seats contenders. Exactly `seats` should win; a SQL count of
 * seats with more than one active reservation_seats row (anywhere) must be 0.
 * While it runs, pg_stat_activity is sampled every few ms: how many backends wait on a lock
 * (a loser's insert waiting on a winner's uncommitted row) and how many transactions sit idle
 * (waiting for the API, i.e. for the workflow start inside the hold's transaction).
 */
export async function measureContention(ctx: BenchContext, users: BenchUser[]): Promise<Contention> {
  const { knex } = ctx.stack;
  const clients = Math.min(ctx.params.contentionClients, users.length);
  const seatsFree = ctx.params.contentionSeats;
  const st = await createBenchShowtime(knex, 100);
  await sellSeats(knex, st.id, st.seatIds.slice(0, st.seatIds.length - seatsFree), users[0].id);
  const free = st.seatIds.slice(-seatsFree);

  // Open every client's connection first, so the race measures holds, not TCP handshakes.
  await Promise.all(users.slice(0, clients).map(() => ctx.api.get('/bench-warmup').catch(() => undefined)));
  // And the API processes warm (JIT, pools, caches), as they are a minute into a sale: every
  // client asks once for a seat already sold (a 409 from the reads, no transaction), then settles.
  await Promise.all(
    users.slice(0, clients).map((user) => ctx.api.post('/api/v1/reservations', { showtime_id: st.id, seat_ids: [st.seatIds[0]] }, user.token).catch(() => undefined)),
  );
  await ctx.settle();

  const apiPid = ctx.stack.api.proc.pid;
  const apiCpu0 = treeCpuMs(apiPid);
  const others0 = stackCpu(ctx.stack);
  const sampler = new PgClient({ connectionString: ctx.stack.databaseUrl });
  await sampler.connect();
  const samples: Sample[] = [];
  let sampling = true;
  const t0 = performance.now();
  const sampling$ = (async () => {
    const stopAt = Date.now() + 60_000;
    while (sampling && Date.now() < stopAt) {
      const { rows } = await sampler.query<{ lock: number; row_lock: number; advisory: number; idle_in_tx: number; active: number }>(
        `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock,
                count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple'))::int AS row_lock,
                count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory')::int AS advisory,
                count(*) FILTER (WHERE state = 'idle in transaction')::int AS idle_in_tx,
                count(*) FILTER (WHERE state = 'active')::int AS active
           FROM pg_stat_activity
          WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      samples.push({ t: performance.now() - t0, rowLock: rows[0].row_lock, advisory: rows[0].advisory, lock: rows[0].lock, idleInTx: rows[0].idle_in_tx, active: rows[0].active });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  const outcomes = await Promise.all(
    users.slice(0, clients).map(async (user, i) => {
      const s = performance.now();
      try {
        const res = await ctx.api.post('/api/v1/reservations', { showtime_id: st.id, seat_ids: [free[i % seatsFree]] }, user.token);
        return { status: res.status, ms: performance.now() - s, end: performance.now() - t0 };
      } catch (err) {
        return { status: 0, ms: performance.now() - s, end: performance.now() - t0, err };
      }
    }),
  );
  const apiCpuMs = treeCpuMs(apiPid) - apiCpu0;
  const others = stackCpuSince(ctx.stack, others0);
  const raceMs = performance.now() - t0;
  // The race is CPU-bound: its CPU on every process over the cores bounds how soon it can end.
  const allCpuMs = apiCpuMs + others.temporal + others.worker + others.postgres + others.bench;
  sampling = false;
  await sampling$.catch(() => undefined);
  await sampler.end();

  const winners = outcomes.filter((o) => o.status === 201);
  const losers = outcomes.filter((o) => o.status === 409);
  const errors = outcomes.filter((o) => o.status !== 201 && o.status !== 409);
  const loserMs = losers.map((o) => o.ms).sort((a, b) => a - b);
  const winnerMs = winners.map((o) => o.ms).sort((a, b) => a - b);

  const [{ double_bookings }] = (
    await knex.raw<{ rows: { double_bookings: number }[] }>(
      `SELECT count(*)::int AS double_bookings FROM (
         SELECT showtime_id, seat_id FROM reservation_seats WHERE is_active GROUP BY showtime_id, seat_id HAVING count(*) > 1) d`,
    )
  ).rows;
  const [{ held }] = (
    await knex.raw<{ rows: { held: number }[] }>(
      'SELECT count(*)::int AS held FROM reservation_seats WHERE showtime_id = ? AND is_active AND seat_id = ANY(?)',
      [st.id, free],
    )
  ).rows;

  const maxOf = (f: (s: Sample) => number) => samples.reduce((m, s) => Math.max(m, f(s)), 0);
  const lastWinner = winners.reduce((m, o) => Math.max(m, o.end), 0);
  const losersAfterLastWinner = losers.filter((o) => o.end >= lastWinner).length;
  const lockBusy = samples.filter((s) => s.lock > 0);
  ctx.log(
    `contention: ${winners.length} winners, ${losers.length} losers, ${errors.length} errors; loser p50 ${round(percentile(loserMs, 50))} p99 ${round(percentile(loserMs, 99))} ms, ` +
      `winner p50 ${round(percentile(winnerMs, 50))} ms; ${held} seats held in SQL, ${double_bookings} double bookings`,
  );
  ctx.log(
    `contention, pg_stat_activity (${samples.length} samples): at most ${maxOf((s) => s.lock)} backends waiting on a lock ` +
      `(${maxOf((s) => s.rowLock)} on a winner's row, ${maxOf((s) => s.advisory)} on an advisory lock), ` +
      `${maxOf((s) => s.idleInTx)} idle in transaction, ${maxOf((s) => s.active)} active; lock waits seen from ` +
      `${lockBusy.length ? round(lockBusy[0].t, 0) : '–'} to ${lockBusy.length ? round(lockBusy[lockBusy.length - 1].t, 0) : '–'} ms; ` +
      `last winner answered at ${round(lastWinner, 0)} ms, ${losersAfterLastWinner} losers answered after it; ` +
      `the API processes used ${apiCpuMs} ms of CPU (${round(apiCpuMs / clients, 2)} ms per request), the whole race took ${round(raceMs, 0)} ms`,
  );
  ctx.log(
    `contention CPU ms: api ${Math.round(apiCpuMs)}, temporal ${Math.round(others.temporal)}, worker ${Math.round(others.worker)}, postgres ${Math.round(others.postgres)}, ` +
      `bench ${Math.round(others.bench)}; all ${Math.round(allCpuMs)} ms (${round(allCpuMs / clients, 2)} ms per request), ` +
      `so on ${os.cpus().length} CPUs the race could end no sooner than ${Math.round(allCpuMs / os.cpus().length)} ms (it took ${Math.round(raceMs)})`,
  );
  if (errors.length > 0) {
    const kinds = [...new Set(errors.map((e) => String(e.status) + (e.err instanceof Error ? ` ${e.err.message}` : '')))].slice(0, 3);
    ctx.log(`contention errors: ${kinds.join(' | ')}`);
  }
  ctx.notes.push(
    `Contention: ${clients} clients, each wanting 1 of the last ${seatsFree} seats (client i wants seat i mod ${seatsFree}), all sent at once over pre-opened connections; ` +
      `pg_stat_activity showed at most ${maxOf((s) => s.rowLock)} backends waiting on a winner's uncommitted row, ${maxOf((s) => s.advisory)} worker activities waiting on a hold's advisory lock, ` +
      `and ${maxOf((s) => s.idleInTx)} transactions idle in transaction (a hold waiting for its workflow start; the API's pool has 20 connections); ` +
      `${losersAfterLastWinner} of ${losers.length} losers were answered after the last winner; the API processes used ${round(apiCpuMs / clients, 2)} ms of CPU per request, and all processes ${round(allCpuMs / clients, 2)} ms (at best ${Math.round(allCpuMs / os.cpus().length)} ms of race on ${os.cpus().length} CPUs; it took ${Math.round(raceMs)} ms).`,
  );
  return {
    clients,
    seats: seatsFree,
    winners: winners.length,
    losers: losers.length,
    errors: errors.length,
    double_bookings,
    loser_p50: round(percentile(loserMs, 50), 2) || 0,
    loser_p99: round(percentile(loserMs, 99), 2) || 0,
    winner_p50: winnerMs.length ? round(percentile(winnerMs, 50), 2) : null,
    max_lock_waiters: maxOf((s) => s.rowLock),
    uncontended_409_p50: await uncontended409(ctx, st.id, free, users),
  };
}

/** For reference: a loser with no race, asking for a seat whose hold has committed (the pre-check's 409), at 1 client. */
async function uncontended409(ctx: BenchContext, showtimeId: number, seats: number[], users: BenchUser[]): Promise<number | null> {
  const result = await closedLoop({
    concurrency: 1,
    maxOps: 50,
    maxMs: 5_000,
    warmupOps: 3,
    op: async (i) => {
      const res = await ctx.api.post('/api/v1/reservations', { showtime_id: showtimeId, seat_ids: [seats[Math.abs(i) % seats.length]] }, users[Math.abs(i) % users.length].token);
      if (res.status !== 409) throw new Error(`expected 409, got ${res.status}`);
    },
  });
  ctx.log(`uncontended 409 (seat already held): p50 ${result.stats.p50} p99 ${result.stats.p99} ms`);
  return result.stats.n > 0 ? result.stats.p50 : null;
}
