/**
 * The launcher: the process in the terminal. It stays in the terminal's process group, builds
 * the Temporal CLI if needed, starts the supervisor in a process group of its own and forwards
 * signals to it; it prints the Temporal server's output (the supervisor's stdout and stderr)
 * under [temporal] and everything else the supervisor sends through a fourth pipe.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { REPO_ROOT } from '../lib/processes';
import { describeExecutable, ensureTemporalCli } from '../temporalCli';
import { eachLine, paint, prefixed, wantsColor } from './output';
import { COLOR_ENV, EXECUTABLE_ENV, SUPERVISOR_ENV, TEMPORAL_STOPPING } from './protocol';
import { assertPortsFree, errorMessage, readSettings, type DevSettings } from './settings';

export async function launch(): Promise<void> {
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

  const supervisor = spawn(process.execPath, [...process.execArgv, path.join(REPO_ROOT, 'scripts', 'dev.ts')], {
    cwd: REPO_ROOT,
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
