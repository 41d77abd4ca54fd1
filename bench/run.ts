/**
 * `npm run bench [-- --quick] [--cluster] [--diagnose] [--out FILE.json] [--write-readme]`
 *
 * Measures how fast booking is, side by side with the floors it runs on, in one run, on a
 * stack of its own on loopback (bench/stack.ts), and writes bench/results/latest.json (shape:
 * bench/resultsSchema.ts) and latest.md (both ignored by git); it rewrites README.md's figures
 * only with --write-readme. --cluster runs the hold, its floors and the premiere against the
 * Temporal cluster of `npm run cluster` (bench/cluster.ts) and writes bench/results/cluster.json.
 * --quick finishes in under two minutes, the full run in under ten. Everything started is stopped at the end, on error and on Ctrl-C.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchCli, USAGE, type Scenario } from './cli';
import { benchParams, settleWorker, type BenchContext } from './context';
import { logLine } from './log';
import { createUsers, SeatPool, seedBookingHistory, type BenchUser } from './fixtures';
import { httpClient } from './http';
import { closedLoop } from './measure';
import { buildResults, toMarkdown, updateReadmeSection } from './report';
import type { Latency, Measured } from './resultsSchema';
import { measureContention } from './scenarios/contention';
import { confirmTimeline, historyCost, holdSteps, paced, sqlRace, startWithMemo } from './scenarios/diagnose';
import { measureTransition } from './scenarios/confirmCancel';
import { measureConfirmFloor } from './scenarios/confirmFloor';
import { measureExpiryLag } from './scenarios/expiry';
import { measureHold, postHold, type HeldReservation } from './scenarios/hold';
import { measureOpenHolds, resetOpenWorkflows } from './scenarios/openHolds';
import { measurePostgresHold } from './scenarios/postgresHold';
import { measurePremiere, measurePremiereFloor } from './scenarios/premiere';
import { measureSeatEvents } from './scenarios/seatEvents';
import { measureSeatMap } from './scenarios/seatMap';
import { measureUpdateWithStart, measureWorkflowStart } from './scenarios/temporalFloor';
import { Cleanup, REPO_ROOT, startBenchStack } from './stack';
import { renderSaleOrder, seatMapSection, updateReadmeSeatMap, type SoldSeat } from './seatMapPicture';
import { noopWorkflow } from './workflows/noop';

async function main(): Promise<void> {
  const cli = parseBenchCli(process.argv.slice(2), REPO_ROOT);
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  const params = benchParams(cli.quick ? 'quick' : 'full');
  const began = Date.now();
  const loadavg = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const cleanup = new Cleanup();

  // Stop everything we started on Ctrl-C, on kill, and when the run overstays its budget.
  const abort = (why: string, code: number) => {
    console.error(`[bench] ${why}: stopping everything the benchmark started`);
    // Pools complain loudly while their servers go away; only our own lines matter now.
    const ours = (print: (...args: unknown[]) => void) => (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('[bench')) print(...args);
    };
    console.error = ours(console.error.bind(console));
    console.log = ours(console.log.bind(console));
    console.warn = () => undefined;
    void cleanup.run().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  // A cluster's first start may build the server from source first.
  const budgetMs = (cli.quick ? 4 * 60_000 : 15 * 60_000) + (cli.cluster ? 10 * 60_000 : 0);
  const watchdog = setTimeout(() => abort(`the run took longer than ${budgetMs / 60_000} minutes`, 1), budgetMs);
  watchdog.unref();

  try {
    logLine(`${params.mode} run on ${os.cpus().length} CPUs, load average ${loadavg.join(' ')}`);
    const stack = await startBenchStack({ cleanup, holdTtlSeconds: 600, cluster: cli.cluster });
    const notes: string[] = [];
    const ctx: BenchContext = {
      stack,
      params,
      api: httpClient(stack.api.baseUrl),
      notes,
      log: logLine,
      settle: () => settleWorker(stack, params.settleMaxMs),
    };

    const clientsOf = [1, 10, 50];
    const holdsNeeded = clientsOf.reduce((n, c) => n + params.maxOps(c) + params.warmupOps(c), 0);
    const pgNeeded = [1, 10].reduce((n, c) => n + params.maxOps(c) + params.warmupOps(c), 0);
    const openNeeded =
      Math.max(...params.openHoldLevels) +
      (params.openHoldSample + 3) * params.openHoldLevels.length * params.seatsPerHold +
      params.expiryHolds +
      (cli.diagnose ? (params.openHoldSample * 4 + 40) * params.seatsPerHold : 0);
    const t0 = Date.now();
    const [users, crowd, holders, holdPool, pgPool, openPool] = [
      await createUsers(stack.knex, stack.jwtSecret, 50),
      await createUsers(stack.knex, stack.jwtSecret, params.contentionClients),
      // A buyer of its own for every hold of the levels and of the open holds: the purchase limits
      // count what the buyer already holds for the showtime on every hold, and a buyer in service
      // holds at most a few. Fifty accounts sharing thousands of holds made that count grow with
      // the run (one account held all of the 1-client level's).
      await createUsers(stack.knex, stack.jwtSecret, holdsNeeded + openNeeded),
      await SeatPool.create(stack.knex, holdsNeeded * params.seatsPerHold + 100),
      await SeatPool.create(stack.knex, pgNeeded * params.seatsPerHold + 100),
      await SeatPool.create(stack.knex, openNeeded + 100),
    ];
    let heldBy = 0;
    const nextHolder = (): BenchUser => holders[heldBy++ % holders.length];
    logLine(`data: ${users.length + crowd.length + holders.length} users, ${holdPool.capacity + pgPool.capacity + openPool.capacity} seats in ${Date.now() - t0} ms`);
    // The bookings of a cinema in service, and their statistics: on empty tables the first level
    // measured plans made for no rows (seedBookingHistory), 14-17 ms of Postgres CPU per hold at 1
    // client, growing with every hold, against under 2 ms at 10 clients after autovacuum's analyze.
    const seeded = Date.now();
    const booked = await seedBookingHistory(stack.knex, users, params.historyShowtimes, 500);
    await stack.knex.raw('VACUUM ANALYZE');
    logLine(`booking history: ${booked} seats booked on ${params.historyShowtimes} showtimes, then VACUUM ANALYZE, in ${Date.now() - seeded} ms`);

    // Warm up every path once (JIT, connections, caches); not measured.
    const warm = await closedLoop({
      concurrency: 5,
      maxOps: 20,
      maxMs: 20_000,
      op: async (_i, client) => {
        const seats = holdPool.take(params.seatsPerHold);
        if (!seats) throw new Error('the seat pool is used up');
        await postHold(ctx.api, users[client], seats);
      },
    });
    if (warm.stats.n === 0) throw new Error(`no hold succeeded while warming up: ${warm.errorSamples.join(' | ')}`);
    await ctx.settle();

    // The hold and its floors, level by level, so that drift in the machine's load hits all alike.
    const measured: Measured = {
      hold: { c1: null, c10: null, c50: null },
      confirm: { c1: null, c10: null },
      cancel: { c1: null },
      temporal_start: { c1: null, c10: null, c50: null },
      update_with_start: { c1: null, c10: null },
      postgres_hold: { c1: null, c10: null },
      contention: null,
      seat_map: { s100_sold0: null, s100_sold90: null, s600_sold0: null, s600_sold90: null, s2000_sold0: null, s2000_sold90: null },
      open_holds: { h100: null, h1000: null, h5000: null },
      expiry_lag: null,
      seat_events: null,
      premiere: null,
      premiere_floor: null,
      confirm_floor: { c1: null },
      machine: {
        cpus: os.cpus().length,
        node: process.version,
        temporal_cli: stack.temporalCli,
        at: new Date(began).toISOString(),
        mode: params.mode,
        loadavg,
      },
      notes,
    };
    const held: HeldReservation[] = [];
    const only = cli.only;
    let premiereSeatMap: SoldSeat[] | undefined;
    // Confirm needs holds to confirm: without the levels, the 1-client hold level makes them.
    const levels = only.has('levels') ? clientsOf : only.has('confirm') ? [1] : [];
    for (const c of levels) {
      const key = `c${c}` as 'c1' | 'c10' | 'c50';
      stack.assertAlive();
      measured.temporal_start[key] = await measureWorkflowStart(ctx, c);
      measured.hold[key] = await measureHold(ctx, { clients: c, pool: holdPool, nextUser: nextHolder, held });
      if (key !== 'c50' && only.has('levels')) measured.postgres_hold[key] = await measurePostgresHold(ctx, { clients: c, pool: pgPool, users });
    }
    if (only.has('levels')) for (const c of [1, 10]) measured.update_with_start[`c${c}` as 'c1' | 'c10'] = await measureUpdateWithStart(ctx, c);

    if (only.has('confirm')) {
      stack.assertAlive();
      // Oldest holds first: their workflows have long finished checking in.
      const forConfirm = held.splice(0, Math.floor((held.length * 2) / 3));
      measured.confirm_floor = { c1: await measureConfirmFloor(ctx, 1) };
      measured.confirm.c1 = await measureTransition(ctx, 'confirm', { clients: 1, holds: forConfirm });
      measured.confirm.c10 = await measureTransition(ctx, 'confirm', { clients: 10, holds: forConfirm });
      measured.cancel.c1 = await measureTransition(ctx, 'cancel', { clients: 1, holds: held });
    }

    if (only.has('contention') || only.has('premiere')) {
      stack.assertAlive();
      // The rush scenarios run against the API as 2 processes sharing its port.
      const rushApi = await stack.startApi(600, { API_PROCESSES: '2' }, rushApiNodeArgs());
      const rushCtx: BenchContext = { ...ctx, api: httpClient(rushApi.baseUrl), stack: { ...stack, api: rushApi } };
      if (only.has('contention')) {
        measured.contention = await measureContention(rushCtx, crowd);
        await ctx.settle();
      }
      if (only.has('premiere')) {
        const buyers = await createUsers(stack.knex, stack.jwtSecret, params.premiereBuyers);
        const run = await measurePremiere(ctx, rushApi.baseUrl, rushApi.proc.pid, buyers);
        measured.premiere = run.premiere;
        premiereSeatMap = run.seatMap;
        await ctx.settle();
      }
      // Its pools (20 connections per process) would crowd Postgres for the scenarios after it.
      await rushApi.proc.stop();
      if (measured.premiere) {
        measured.premiere_floor = await measurePremiereFloor(ctx, Math.floor(measured.premiere.sold_seats / 2) || 1, users);
        await ctx.settle();
      }
    }
    if (only.has('seat_map')) measured.seat_map = await measureSeatMap(ctx, users[0]);
    stack.assertAlive();
    if (only.has('seat_events')) measured.seat_events = await measureSeatEvents(ctx, users[0]);
    stack.assertAlive();
    if (only.has('expiry')) measured.expiry_lag = await measureExpiryLag(ctx, { pool: openPool, users });

    if (cli.diagnose) {
      stack.assertAlive();
      const ids = async (sql: string) => (await stack.knex.raw<{ rows: { workflow_id: string }[] }>(sql)).rows.map((r) => r.workflow_id);
      const noopIds: string[] = [];
      for await (const wf of stack.client.workflow.list({ query: 'WorkflowType="noopWorkflow"' })) {
        noopIds.push(wf.workflowId);
        if (noopIds.length >= 10) break;
      }
      const diagnosis = {
        hold_steps: {
          c1: await holdSteps(ctx, { clients: 1, ops: params.openHoldSample, pool: openPool, users }),
          c10: await holdSteps(ctx, { clients: 10, ops: params.openHoldSample * 3, pool: openPool, users }),
        },
        paced: {
          hold: await paced(ctx, 'hold over HTTP', 20, 300, async () => {
            const seats = openPool.take(params.seatsPerHold);
            if (!seats) throw new Error('the seat pool is used up');
            await postHold(ctx.api, users[0], seats);
          }),
          workflow_start: await paced(ctx, 'workflow start', 20, 300, async () => {
            await stack.client.workflow.start(noopWorkflow, { workflowId: `bench-paced-${randomUUID()}`, taskQueue: stack.taskQueue, args: [params.noopWaitMs] });
          }),
        },
        start_with_memo_and_search_attributes: { c1: await startWithMemo(ctx, 1), c10: await startWithMemo(ctx, 10) },
        history_until_timer: {
          hold: await historyCost(ctx, await ids(`SELECT workflow_id FROM reservations WHERE status = 'held' AND workflow_id LIKE 'reservation-%' ORDER BY created_at LIMIT 10`)),
          noop: await historyCost(ctx, noopIds),
        },
        confirm_timeline: await confirmTimeline(
          ctx,
          await ids(`SELECT workflow_id FROM reservations WHERE status = 'confirmed' AND workflow_id LIKE 'reservation-%' ORDER BY confirmed_at LIMIT 10`),
        ),
        sql_race: await sqlRace(ctx, { clients: params.contentionClients, startMs: Math.round(measured.temporal_start.c10?.p50 ?? 50), users: crowd }),
      };
      logLine(
        `history until the first timer (p50): hold ${JSON.stringify({ ...diagnosis.history_until_timer.hold, example: undefined })}, ` +
          `no-op ${JSON.stringify({ ...diagnosis.history_until_timer.noop, example: undefined })}`,
      );
      logLine(`a hold's history: ${diagnosis.history_until_timer.hold.example}`);
      await ctx.settle();
      const file = path.join(path.dirname(cli.out), 'diagnose.json');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(diagnosis, null, 2)}\n`);
      logLine(`wrote ${path.relative(process.cwd(), file)}`);
    }

    if (only.has('open_holds')) {
      stack.assertAlive();
      await resetOpenWorkflows(ctx);
      measured.open_holds = await measureOpenHolds(ctx, { pool: openPool, nextUser: nextHolder });
      stack.assertAlive();
    }

    measured.machine.duration_s = Math.round((Date.now() - began) / 1000);
    addCaveats(measured, only);
    if (cli.cluster) measured.notes.push('Against a Temporal cluster (npm run cluster): the hold, its floors and the premiere only; the other scenarios are not run.');
    const results = buildResults(measured);
    const markdown = toMarkdown(results);
    mkdirSync(path.dirname(cli.out), { recursive: true });
    writeFileSync(cli.out, `${JSON.stringify(results, null, 2)}\n`);
    const mdPath = cli.out.replace(/\.json$/, '.md');
    writeFileSync(mdPath, markdown);
    console.log(`\n${markdown}`);
    logLine(`wrote ${path.relative(process.cwd(), cli.out)} and ${path.relative(process.cwd(), mdPath)}`);
    const missing = unmeasured(results, only);
    if (missing.length > 0) {
      console.error(`[bench] nothing succeeded for: ${missing.join(', ')}; see the log above`);
      process.exitCode = 2;
    }
    if (premiereSeatMap && measured.premiere) {
      const picture = renderSaleOrder(premiereSeatMap);
      const txt = cli.out.replace(/\.json$/, '-seatmap.txt');
      writeFileSync(txt, `${picture}\n`);
      logLine(`wrote ${path.relative(process.cwd(), txt)}:\n${picture}`);
      if (cli.seatmapReadme) {
        const p = measured.premiere;
        const caption =
          `The premiere's seat map after a \`npm run bench${params.mode === 'quick' ? ' -- --quick' : ''}\` run (${measured.machine.at.slice(0, 10)}): ` +
          `${p.buyers} buyers of 2 best-available seats each for ${p.seats} seats, ${p.sold_seats} sold, ${p.orphan_singles} orphan single seats. ` +
          'Each seat shows when it was sold: `0` in the first tenth of the holds, `9` in the last, `.` free.';
        const updated = updateReadmeSeatMap(path.join(REPO_ROOT, 'README.md'), seatMapSection(picture, caption));
        logLine(updated ? "updated README.md's seat map" : 'README.md has no <!-- seatmap:start --> / <!-- seatmap:end --> markers: left alone');
      }
    }
    if (cli.writeReadme) {
      const updated = updateReadmeSection(path.join(REPO_ROOT, 'README.md'), markdown);
      logLine(updated ? 'updated the benchmark section of README.md' : 'README.md has no <!-- bench:start --> / <!-- bench:end --> markers: left alone');
    }
  } finally {
    clearTimeout(watchdog);
    logLine('stopping the stack');
    await cleanup.run();
    logLine(`done in ${Math.round((Date.now() - began) / 1000)} s`);
  }
}

/**
 * Node options for the rush's API processes, e.g. BENCH_RUSH_API_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof" to profile them: each process writes its profile when it stops
 * (cluster workers inherit the primary's options).
 */
function rushApiNodeArgs(): string[] {
  return (process.env.BENCH_RUSH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** Caveats that follow from the figures themselves. */
function addCaveats(m: Measured, only: ReadonlySet<Scenario>): void {
  // A level of a scenario --only left out is null without having failed.
  const ran = (name: string) => (name === 'confirm' || name === 'cancel' ? only.has('confirm') : only.has('levels'));
  const failed = (Object.entries({
    hold: m.hold,
    confirm: m.confirm,
    cancel: m.cancel,
    temporal_start: m.temporal_start,
    update_with_start: m.update_with_start,
    postgres_hold: m.postgres_hold,
  }) as [string, Record<string, Latency | null>][]).flatMap(([name, levels]) =>
    Object.entries(levels)
      .filter(([, l]) => (l === null && ran(name)) || (l !== null && l.errors > 0))
      .map(([c, l]) => `${name}.${c}: ${l === null ? 'nothing succeeded' : `${l.errors} errors`}`),
  );
  if (failed.length) m.notes.push(`Failed operations (not in the latencies): ${failed.join('; ')}.`);
  if (m.machine.mode === 'quick') m.notes.push('Quick run: a few seconds per level; take the figures as a smoke test, not as the benchmark.');
}

/** Measurements every run must produce; a null one means the harness or the app is broken. */
function unmeasured(r: Measured, only: ReadonlySet<Scenario>): string[] {
  const required: [Scenario, string, unknown][] = [
    ['levels', 'hold.c1', r.hold.c1],
    ['levels', 'hold.c10', r.hold.c10],
    ['levels', 'hold.c50', r.hold.c50],
    ['confirm', 'confirm.c1', r.confirm.c1],
    ['confirm', 'confirm.c10', r.confirm.c10],
    ['confirm', 'confirm_floor.c1', r.confirm_floor?.c1],
    ['confirm', 'cancel.c1', r.cancel.c1],
    ['levels', 'temporal_start.c1', r.temporal_start.c1],
    ['levels', 'temporal_start.c10', r.temporal_start.c10],
    ['levels', 'temporal_start.c50', r.temporal_start.c50],
    ['levels', 'update_with_start.c1', r.update_with_start.c1],
    ['levels', 'update_with_start.c10', r.update_with_start.c10],
    ['levels', 'postgres_hold.c1', r.postgres_hold.c1],
    ['levels', 'postgres_hold.c10', r.postgres_hold.c10],
    ['contention', 'contention', r.contention],
    ['premiere', 'premiere', r.premiere],
    ['seat_map', 'seat_map.s2000_sold90', r.seat_map.s2000_sold90],
    ['open_holds', 'open_holds.h100', r.open_holds.h100],
    ['expiry', 'expiry_lag', r.expiry_lag],
    ['seat_events', 'seat_events', r.seat_events],
  ];
  return required.filter(([scenario, , v]) => only.has(scenario) && (v === null || v === undefined)).map(([, k]) => k);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
