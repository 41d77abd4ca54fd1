/**
 * The supervisor: owns the parts, starts them in order (Temporal and Postgres, the migrations,
 * then the worker and the API) and stops them in reverse. Its stdout is the Temporal server's;
 * everything else it prints goes to the launcher through file descriptor 3.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { format } from 'node:util';
import type { TemporalExecutable } from '../temporalCli';
import { printBanner } from './banner';
import { startChild, stopChild } from './children';
import { paint, prefixed, type Part } from './output';
import { migrate, preparePostgres } from './postgres';
import { COLOR_ENV, EXECUTABLE_ENV, SUPERVISOR_ENV } from './protocol';
import { errorMessage, readSettings } from './settings';
import { startTemporal } from './temporal';
import { WATCHED_DIRS, watchSources } from './watch';

class Aborted extends Error {}

export async function supervise(): Promise<void> {
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
    // The API and the worker, restartable as a pair; Temporal and Postgres keep running.
    const running = new Map<'worker' | 'api', ChildProcess>();
    const startApp = () => {
      for (const [part, script] of [
        ['worker', 'src/worker.ts'],
        ['api', 'src/server.ts'],
      ] as const) {
        const child = startChild(part, script, childEnv, write);
        child.once('exit', (code, signal) => {
          const how = signal ?? `code ${code}`;
          // In watch mode a crash is most often code being edited: wait for the fix.
          if (settings.watch) warn(`${part} exited (${how}); it restarts at the next change in ${WATCHED_DIRS.join('/, ')}/`);
          else requestStop(1, `${part} exited unexpectedly (${how}): stopping everything`);
        });
        running.set(part, child);
      }
    };
    const stopApp = async () => {
      // The API first, so no request reaches a worker that is going away.
      for (const part of ['api', 'worker'] as const) {
        const child = running.get(part);
        if (child) await stopChild(child, part, say);
        running.delete(part);
      }
    };
    startApp();
    stack.push({ name: 'the API and the worker', stop: stopApp });
    if (settings.watch) {
      let restarting = Promise.resolve();
      const stopWatching = watchSources((files) => {
        restarting = restarting.then(async () => {
          if (exitCode !== undefined) return;
          say(`changed: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}; restarting the API and the worker`);
          await stopApp();
          if (exitCode === undefined) startApp();
        });
      });
      stack.push({ name: 'the file watcher', stop: async () => { stopWatching(); await restarting; } });
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

/** Polls `check` until it returns true (errors count as not yet) or the time is up. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
