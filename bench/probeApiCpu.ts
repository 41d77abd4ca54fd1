/**
 * `npm run bench:api-cpu`: where the CPU goes, request kind by kind. Each kind is sent PROBE_N
 * times (after 50 to warm up) by PROBE_C concurrent clients, and every process's CPU time (from
 * /proc) is divided by PROBE_N: the API, the worker, the Temporal server, every `postgres`
 * process on the machine (so other databases' work counts too: run it on a quiet machine), and
 * this client. Kinds (PROBE_KINDS): healthz, notfound (no
 * database, no Temporal: the HTTP stack alone), me (auth and one read), refusal (an exact seat
 * already sold), soldout (2 best-available seats at a sold-out showtime), hold (a free seat), start (a plain workflow start, the floor), startsa (the
 * same with the hold's memo and search attributes), startnative (startsa through a NativeConnection,
 * the worker's Rust gRPC client), startres (the reservation workflow itself, started as the API
 * starts it, without HTTP or Postgres), startlocal and starteager (startsa through a client on the
 * connection of a workflow-only worker in this process, on a queue of its own; starteager asks for
 * eager workflow start, and counts the starts the server did not hand to that worker: this
 * process's CPU then includes the worker's) and idle (a 100 ms sleep: what the processes burn idle). PROBE_PERF=dir records each kind with
 * `perf record` into dir (start the API with BENCH_NODE_ARGS=--perf-basic-prof to name its JS
 * frames); PROBE_NO_TRIGGERS=1 disables the reservation tables' triggers, to price them;
 * PROBE_API_PROCESSES=n measures an API of n processes; PROBE_HISTORY=1 prints the event types of
 * the latest reservation's workflow history at the end (what a hold costs Temporal in events).
 */
import { spawn } from 'node:child_process';
import { Cleanup, cpuMs, cpuSinceSnapshot, cpuSnapshot, startBenchStack, sumCpuMs as sumCpu, treeCpuMs } from './stack';
import { createBenchShowtime, createUsers, sellSeats } from './fixtures';
import { httpClient } from './http';
import { randomUUID } from 'node:crypto';
import { reservationWorkflow } from '../workflows/reservation';
import { reservationWorkflowId } from '../workflows/shared';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { noopWorkflow } from './workflows/noop';
import { searchAttributes } from '../workflows/shared';

async function main() {
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(1)));
  try {
    const apiEnv: Record<string, string> = { API_PROCESSES: process.env.PROBE_API_PROCESSES ?? '1' };
    const stack = await startBenchStack({ cleanup, holdTtlSeconds: 600 });
    const api = process.env.PROBE_API_PROCESSES ? await stack.startApi(600, apiEnv) : stack.api;
    const http = httpClient(api.baseUrl);
    const users = await createUsers(stack.knex, stack.jwtSecret, 50);
    const st = await createBenchShowtime(stack.knex, 2000);
    await sellSeats(stack.knex, st.id, st.seatIds.slice(0, 10), users[0].id);
    const best = await createBenchShowtime(stack.knex, 2000);
    const sold = await createBenchShowtime(stack.knex, 10);
    await sellSeats(stack.knex, sold.id, sold.seatIds, users[0].id);
    let next = 10;
    const run = Date.now().toString(36);
    let uniq = 0;
    const n = Number(process.env.PROBE_N ?? 400);
    const conc = Number(process.env.PROBE_C ?? 10);
    /** What the API's start adds to a plain one: a summary, a memo and the search attributes. */
    const holdLike = () => ({
      staticSummary: 'A1, A2 for Some Movie at 2026-12-03 20:00',
      memo: { user_id: 1, movie_title: 'Some Movie', showtime_starts_at: new Date().toISOString(), seats: 'A1, A2', total_price: '20.00' },
      typedSearchAttributes: [
        { key: searchAttributes.ReservationStatus, value: 'held' as const },
        { key: searchAttributes.ShowtimeId, value: 1 },
        { key: searchAttributes.UserId, value: 1 },
        { key: searchAttributes.HoldExpiresAt, value: new Date() },
      ],
    });
    let nativeClient: Client | undefined;
    cleanup.add('the native Temporal connection', async () => nativeClient?.connection.close());
    const native = async () => (nativeClient ??= new Client({ connection: await NativeConnection.connect({ address: stack.temporalAddress }) }));
    /** A workflow-only worker in this process on its own queue, and a client on its connection: eager starts' setting. */
    let local: { client: Client; queue: string } | undefined;
    const localWorker = async () => {
      if (local) return local;
      const connection = await NativeConnection.connect({ address: stack.temporalAddress });
      const queue = `probe-local-${run}`;
      const worker = await Worker.create({ connection, taskQueue: queue, workflowsPath: require.resolve('./workflows'), maxCachedWorkflows: 5000 });
      const running = worker.run();
      cleanup.add('the local worker', async () => {
        worker.shutdown();
        await running;
        await connection.close();
      });
      local = { client: new Client({ connection }), queue };
      return local;
    };
    const localStart = (eager: boolean) => async () => {
      const { client, queue } = await localWorker();
      const h = await client.workflow.start(noopWorkflow, { workflowId: `probe-local-${run}-${uniq++}`, taskQueue: queue, args: [600_000], requestEagerStart: eager, ...holdLike() });
      if (eager && !h.eagerlyStarted) eagerMissed++;
      return 0;
    };
    let eagerMissed = 0;
    const kinds: Record<string, (i: number) => Promise<number>> = {
      startlocal: localStart(false),
      starteager: localStart(true),
      idle: async () => {
        await new Promise((r) => setTimeout(r, 100));
        return 0;
      },
      startres: async () => {
        const id = randomUUID();
        const now = Date.now();
        await stack.client.workflow.start(reservationWorkflow, {
          workflowId: reservationWorkflowId(id),
          taskQueue: stack.taskQueue,
          args: [{ reservationId: id, cancellationCutoffMinutes: 60, hold: { expiresAt: new Date(now + 600_000).toISOString(), showStartsAt: new Date(now + 86_400_000).toISOString(), showEndsAt: new Date(now + 90_000_000).toISOString(), totalPrice: '20.00' } }],
          workflowIdConflictPolicy: 'TERMINATE_EXISTING',
          ...holdLike(),
        });
        return 0;
      },
      startnative: async () => {
        await (await native()).workflow.start(noopWorkflow, {
          workflowId: `probe-noopn-${run}-${uniq++}`,
          taskQueue: stack.taskQueue,
          args: [600_000],
          ...holdLike(),
        });
        return 0;
      },
      healthz: async () => (await http.get('/healthz')).status,
      notfound: async () => (await http.get('/api/v1/no-such-thing')).status,
      me: async (i) => (await http.get('/api/v1/auth/me', users[i % users.length].token)).status,
      refusal: async (i) => (await http.post('/api/v1/reservations', { showtime_id: st.id, seat_ids: [st.seatIds[i % 10]] }, users[i % users.length].token)).status,
      start: async () => {
        await stack.client.workflow.start(noopWorkflow, { workflowId: `probe-noop-${run}-${uniq++}`, taskQueue: stack.taskQueue, args: [600_000] });
        return 0;
      },
      startsa: async () => {
        await stack.client.workflow.start(noopWorkflow, {
          workflowId: `probe-noopsa-${run}-${uniq++}`,
          taskQueue: stack.taskQueue,
          args: [600_000],
          ...holdLike(),
        });
        return 0;
      },
      soldout: async (i) => (await http.post('/api/v1/reservations', { showtime_id: sold.id, quantity: 2 }, users[i % users.length].token)).status,
      best: async (i) => (await http.post('/api/v1/reservations', { showtime_id: best.id, quantity: 2 }, users[i % users.length].token)).status,
      hold: async (i) => {
        const seat = st.seatIds[next++];
        return (await http.post('/api/v1/reservations', { showtime_id: st.id, seat_ids: [seat] }, users[i % users.length].token)).status;
      },
    };
    if (process.env.PROBE_NO_TRIGGERS) {
      for (const t of ['reservations', 'reservation_seats']) await stack.knex.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    }
    const only = (process.env.PROBE_KINDS ?? 'healthz,me,refusal,hold').split(',');
    for (const kind of only) {
      const run = kinds[kind];
      // warm-up
      for (let i = 0; i < 50; i++) await run(i);
      await new Promise((r) => setTimeout(r, 1500));
      const before = { api: treeCpuMs(api.proc.pid), worker: cpuMs(stack.worker.pid), temporal: sumCpu(stack.temporalPids), pg: cpuSnapshot('postgres'), self: process.cpuUsage() };
      const perf = process.env.PROBE_PERF
        ? spawn('perf', ['record', '-F', '999', '-g', '-p', String(api.proc.pid), '-o', `${process.env.PROBE_PERF}/${kind}.perf.data`], { stdio: 'ignore' })
        : undefined;
      const t0 = Date.now();
      const statuses = new Map<number, number>();
      let i = 0;
      await Promise.all(Array.from({ length: conc }, async () => {
        while (i < n) {
          const s = await run(i++);
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
        }
      }));
      const wall = Date.now() - t0;
      if (perf) {
        perf.kill('SIGINT');
        await new Promise((r) => perf.once('exit', r));
      }
      await new Promise((r) => setTimeout(r, 1500));
      const self = process.cpuUsage(before.self);
      const per = (x: number) => (x / n).toFixed(2);
      console.log(
        `${kind.padEnd(8)} n=${n} c=${conc} ${(n / (wall / 1000)).toFixed(0)}/s statuses=${JSON.stringify([...statuses])} CPU ms/op: api ${per(treeCpuMs(api.proc.pid) - before.api)} worker ${per(cpuMs(stack.worker.pid) - before.worker)} temporal ${per(sumCpu(stack.temporalPids) - before.temporal)} pg ${per(cpuSinceSnapshot('postgres', before.pg))} client ${per((self.user + self.system) / 1000)}`,
      );
    }
    if (eagerMissed) console.log(`eager starts not started eagerly: ${eagerMissed}`);
    if (process.env.PROBE_HISTORY) {
      const [row] = await stack.knex('reservations').orderBy('created_at', 'desc').limit(1).select('workflow_id');
      const history = await stack.client.workflow.getHandle(row.workflow_id).fetchHistory();
      for (const e of history.events ?? []) console.log(String(e.eventType), JSON.stringify(e.workflowTaskCompletedEventAttributes ?? e.timerStartedEventAttributes ?? e.markerRecordedEventAttributes?.markerName ?? '').slice(0, 300));
    }
  } finally {
    await cleanup.run();
  }
}
void main();
