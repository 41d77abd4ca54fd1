/**
 * `npm run cluster`: production's shape on one machine, without Docker.
 *
 * Postgres (DATABASE_URL's server, or an embedded one with its data in .data/cluster/postgres);
 * a Temporal server built from source at the compose file's version, on Postgres with SQL
 * visibility, its schemas set up or upgraded by temporal-sql-tool, its frontend, history,
 * matching and worker services as four processes; the namespace and the search attributes; the
 * Web UI server; the app's migrations; then the API (API_PROCESSES processes) and WORKERS worker
 * processes. Ctrl-C stops the API, the workers, the UI, then the Temporal services and Postgres.
 * Everything lives in .data/cluster/ (config, logs, bundle); README, "Production topology".
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrate } from './dev/postgres';
import { redact, wantsColor } from './dev/output';
import { hasExited, stopProcess } from './lib/processes';
import { withDatabase, ensureDatabase } from './postgres';
import { describeExecutable, ensureTemporalCli } from './temporalCli';
import { bundleWorkflows, startApp, type AppPart } from './cluster/app';
import { ensureServerBinaries, ensureUiServer } from './cluster/build';
import { clusterLine } from './cluster/output';
import { clusterPostgres } from './cluster/postgres';
import { stopService, spawnService } from './cluster/services';
import { assertClusterPortsFree, readClusterSettings } from './cluster/settings';
import { startTemporalCluster } from './cluster/temporalCluster';
import { uiSpec } from './cluster/ui';
import { TEMPORAL_SERVER_VERSION } from './cluster/versions';

class Aborted extends Error {}

/** Set in the supervisor's environment: this file then runs the cluster instead of launching it. */
const SUPERVISOR_ENV = 'BOOKING_CLUSTER_SUPERVISOR';

/**
 * The process in the terminal: starts the supervisor (this file again) in a process group of its
 * own and forwards signals to it. A Ctrl-C reaches the terminal's whole process group; in it, the
 * embedded Postgres would stop at once, under the API, the workers and Temporal. Out of it, the
 * supervisor stops them in order, Postgres last.
 */
function launch(): void {
  const supervisor = spawn(process.execPath, [...process.execArgv, __filename], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, [SUPERVISOR_ENV]: '1', ...(wantsColor() ? { FORCE_COLOR: '1' } : {}) },
  });
  let lastSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // npm, tsx and the terminal may each deliver the same Ctrl-C: one per second.
      if (Date.now() - lastSignalAt < 1000) return;
      lastSignalAt = Date.now();
      supervisor.kill(signal);
    });
  }
  supervisor.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function main(): Promise<void> {
  const color = wantsColor();
  process.stdout.on('error', () => undefined);
  const write = (part: string, line: string) => process.stdout.write(clusterLine(color, part, line));
  const say = (line: string) => write('cluster', line);

  let exitCode: number | undefined;
  let resolveStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (resolveStop = resolve));
  const requestStop = (code: number, why: string) => {
    if (exitCode !== undefined) return;
    exitCode = code;
    say(why);
    resolveStop();
  };
  const checkpoint = () => {
    if (exitCode !== undefined) throw new Aborted();
  };
  let signals = 0;
  let lastSignalAt = 0;
  const stack: Array<{ name: string; stop: () => Promise<void> }> = [];
  const onSignal = (signal: NodeJS.Signals) => {
    // npm, tsx and the terminal may each deliver the same Ctrl-C: count one per second.
    if (Date.now() - lastSignalAt < 1000) return;
    lastSignalAt = Date.now();
    signals += 1;
    if (signals === 1) return requestStop(0, `${signal}: stopping the API, the workers, the UI, then Temporal and Postgres (again to force)`);
    say(`${signal} again: killing every part now`);
    for (const part of stack) void part.stop();
    process.exit(1);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) requestStop(0, 'the process that started `npm run cluster` is gone: stopping');
  }, 1000).unref();
  process.on('uncaughtException', (err) => requestStop(1, `unexpected error: ${err.stack ?? err.message}`));

  try {
    const s = readClusterSettings();
    await assertClusterPortsFree(s);
    mkdirSync(s.dataDir, { recursive: true });
    // Built one after another: two Go builds at once would only fight for the cores.
    const cli = await ensureTemporalCli();
    if (cli.type !== 'existing-path') throw new Error('the Temporal CLI is needed (operator commands): install Go, or set TEMPORAL_CLI_PATH');
    say(`Temporal CLI: ${describeExecutable(cli)}`);
    const bin = await ensureServerBinaries(say);
    const uiBinary = s.ui ? await ensureUiServer(say) : undefined;
    checkpoint();

    const pg = await clusterPostgres(s, say);
    if (pg.stop) stack.push({ name: 'Postgres', stop: pg.stop });
    say(`Postgres server: ${redact(pg.serverUrl)}${pg.embedded ? ' (embedded)' : ''}`);
    const appUrl = withDatabase(pg.serverUrl, s.databases.app);
    checkpoint();

    const [temporal, bundle] = await Promise.all([
      startTemporalCluster({
        bin,
        cli: cli.path,
        root: s.dataDir,
        serverUrl: pg.serverUrl,
        databases: { temporal: s.databases.temporal, visibility: s.databases.visibility },
        ports: s.ports,
        namespace: s.config.temporal.namespace,
        logLevel: s.temporalLogLevel,
        log: say,
        // t/: the Temporal services, apart from the app's worker-N.
        onServiceLine: (service, line) => write(`t/${service}`, line),
        onUnexpectedExit: (service, how) => requestStop(1, `the Temporal ${service} service exited unexpectedly (${how}): stopping everything`),
      }).then((cluster) => {
        stack.push({ name: 'Temporal', stop: cluster.stop });
        return cluster;
      }),
      bundleWorkflows(s.dataDir),
      (async () => {
        await ensureDatabase(appUrl);
        await migrate(appUrl, say);
      })(),
    ]);
    say(`Temporal ${TEMPORAL_SERVER_VERSION} is up at ${temporal.address}`);
    checkpoint();

    if (uiBinary) {
      const spec = uiSpec(uiBinary, s.dataDir, {
        port: s.uiPort,
        frontend: temporal.address,
        namespace: s.config.temporal.namespace,
        corsOrigins: [`http://localhost:${s.apiPort}`, `http://127.0.0.1:${s.apiPort}`],
      });
      const ui = spawnService(spec, (line) => write('t/ui', line));
      ui.once('exit', (code, signal) => {
        if (exitCode === undefined) requestStop(1, `the Web UI server exited unexpectedly (${signal ?? `code ${code}`}): stopping everything`);
      });
      stack.push({ name: 'the Web UI', stop: () => stopService(ui, 5000) });
    }

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...secrets(s.dataDir),
      DATABASE_URL: appUrl,
      TEMPORAL_ADDRESS: temporal.address,
      WORKFLOW_BUNDLE_PATH: bundle,
      FAKE_PAYMENT_WEBHOOK_URL: `http://127.0.0.1:${s.apiPort}/api/v1/webhooks/payments`,
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
      ...(color ? { FORCE_COLOR: '1' } : {}),
    };
    const parts: AppPart[] = startApp(s, env, write);
    for (const part of parts) {
      part.child.once('exit', (code, signal) => {
        if (exitCode === undefined) requestStop(1, `${part.name} exited unexpectedly (${signal ?? `code ${code}`}): stopping everything`);
      });
    }
    stack.push({
      name: 'the API and the workers',
      stop: async () => {
        // The API first, so no request reaches a worker that is going away; the workers together.
        for (const group of [parts.filter((p) => p.name === 'api'), parts.filter((p) => p.name !== 'api')]) {
          await Promise.all(
            group.map(async (p) => {
              p.child.removeAllListeners('exit');
              if (hasExited(p.child)) return;
              say(`stopping ${p.name}`);
              await stopProcess(p.child, 25_000, () => say(`${p.name} did not stop within 25 s: killing it`));
            }),
          );
        }
      },
    });

    const healthz = `http://127.0.0.1:${s.apiPort}/healthz`;
    const ready = await Promise.race([waitForHealthy(healthz, 120_000), stopRequested.then(() => false)]);
    checkpoint();
    if (!ready) say(`the API did not answer ${healthz} with 200 within 2 minutes; still running`);
    const rows: Array<[string, string]> = [
      ['API', `http://127.0.0.1:${s.apiPort}/api/v1 (${s.apiProcesses} processes)`],
      ['workers', `${s.workers} processes, metrics on 127.0.0.1:9600 and up`],
      ['Temporal', `${temporal.address} (namespace ${s.config.temporal.namespace}; services ${[...temporal.processes].map(([n, c]) => `${n} pid ${c.pid}`).join(', ')})`],
      ['Web UI', uiBinary ? `http://127.0.0.1:${s.uiPort}/namespaces/${s.config.temporal.namespace}/workflows` : 'off (CLUSTER_UI=off)'],
      ['Postgres', `${redact(appUrl)}; Temporal: ${s.databases.temporal}, ${s.databases.visibility}`],
      ['data and logs', path.relative(process.cwd(), s.dataDir) || s.dataDir],
    ];
    say('ready:');
    for (const [name, value] of rows) say(`  ${name.padEnd(14)} ${value}`);
    say('press Ctrl-C to stop');
    await stopRequested;
  } catch (err) {
    if (!(err instanceof Aborted)) requestStop(1, `could not start: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    for (const part of stack.reverse()) {
      try {
        await part.stop();
      } catch (err) {
        say(`stopping ${part.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    say(exitCode ? `stopped (exit ${exitCode})` : 'stopped');
    process.exit(exitCode ?? 0);
  }
}

/**
 * Secrets the app needs that the shell does not set: made once and kept in .data/cluster, so
 * tokens stay valid across restarts. Never the development defaults: this is production's shape.
 */
function secrets(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, 'secrets.json');
  const kept: Record<string, string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  for (const name of ['JWT_SECRET', 'ADMIN_REGISTRATION_SECRET', 'PAYMENT_WEBHOOK_SECRET']) kept[name] ??= randomBytes(24).toString('hex');
  writeFileSync(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
  return Object.fromEntries(Object.entries(kept).filter(([name]) => !process.env[name]));
}

async function waitForHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(3000) }).then((r) => r.status === 200, () => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

if (process.env[SUPERVISOR_ENV] === '1') void main();
else launch();
