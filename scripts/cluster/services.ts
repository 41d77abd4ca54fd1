import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { eachLine } from '../dev/output';
import { hasExited, signalPid, stopProcess, waitForPidExit } from '../lib/processes';
import type { TemporalService } from './serverConfig';

/** How to start one Temporal service process: plain data, so a test can start it again after killing it. */
export interface ServiceSpec {
  service: TemporalService | 'ui';
  binary: string;
  args: string[];
  cwd: string;
  logFile: string;
}

/** `server --root R --config config --env <service> start --service <service>`: base.yaml, then <service>.yaml. */
export function serviceSpec(binary: string, root: string, service: TemporalService): ServiceSpec {
  return {
    service,
    binary,
    args: ['--root', root, '--config', 'config', '--env', service, '--allow-no-auth', 'start', '--service', service],
    cwd: root,
    logFile: path.join(root, 'logs', `${service}.log`),
  };
}

/**
 * Starts a service in a process group of its own, so a Ctrl-C in the terminal reaches only the
 * script that stops the parts in order. Its output is appended to its log file; with `onLine`,
 * each line is also handed over (the terminal's copy).
 */
export function spawnService(spec: ServiceSpec, onLine?: (line: string) => void): ChildProcess {
  mkdirSync(path.dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  if (!onLine) {
    const child = spawn(spec.binary, spec.args, { cwd: spec.cwd, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    return child;
  }
  const child = spawn(spec.binary, spec.args, { cwd: spec.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const both = (line: string) => {
    try {
      writeSync(log, `${line}\n`);
    } catch {
      // the log file went away: the terminal still has the line
    }
    onLine(line);
  };
  void Promise.all([eachLine(child.stdout!, both), eachLine(child.stderr!, both)]).finally(() => closeSync(log));
  return child;
}

/** SIGTERM (the server drains and leaves the membership ring), SIGKILL after `graceMs`. */
export async function stopService(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  await stopProcess(child, graceMs);
}

/**
 * Every process whose command line names `root` (the services of one cluster, however they were
 * started), for a teardown that must also catch a service a test restarted itself.
 */
export function pidsUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(root)) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}

export async function killAllUnder(root: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
  const pids = pidsUnder(root);
  for (const pid of pids) signalPid(pid, signal);
  await Promise.all(pids.map((pid) => waitForPidExit(pid, timeoutMs)));
  for (const pid of pidsUnder(root)) signalPid(pid, 'SIGKILL');
}
