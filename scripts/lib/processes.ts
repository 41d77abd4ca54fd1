import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface NodeScriptOptions {
  env: NodeJS.ProcessEnv;
  /** Where stdout and stderr go: pipes to read (the default) or an open file descriptor. */
  output?: 'pipe' | number;
  /** A pipe lets the child notice its parent is gone (its stdin ends). */
  stdin?: 'ignore' | 'pipe';
  /** Options for Node itself, before the script (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** A process group of its own: a Ctrl-C in the terminal then reaches only the parent, which stops it in order. */
  detached?: boolean;
}

/**
 * A TypeScript file of this repository (path relative to its root) in a Node process of its own.
 * Node with tsx as a loader, not tsx's CLI: the CLI forks a grandchild, which would survive a
 * SIGKILL and hide the pid whose CPU time and memory the bench reads.
 */
export function spawnNodeScript(script: string, opts: NodeScriptOptions): ChildProcess {
  const output = opts.output ?? 'pipe';
  const stdio: StdioOptions = [opts.stdin ?? 'ignore', output, output];
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.resolve(REPO_ROOT, script)], { cwd: REPO_ROOT, env: opts.env, stdio, detached: opts.detached });
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves once `child` has exited (at once when it already has). */
function exitOf(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` unless the child has exited already, then waits for its exit. */
export async function signalAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = exitOf(child);
  if (!hasExited(child)) child.kill(signal);
  await exited;
}

/**
 * SIGTERM (a graceful shutdown), then SIGKILL when it has not exited after `graceMs`. Returns
 * whether it stopped by itself.
 */
export async function stopProcess(child: ChildProcess, graceMs: number, onKill?: () => void): Promise<boolean> {
  if (hasExited(child)) return true;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(graceMs, false)])) return true;
  onKill?.();
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(5_000)]);
  return false;
}

/** `process.kill` for a process that may be gone already. */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The fields of /proc/<pid>/stat after the command name (state first, then ppid), or undefined when it is gone. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Waits until `pid` has exited (gone, or a zombie its parent has not reaped yet), for a process this one did not spawn itself. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = statFields(pid)?.[0];
    if (!state || state === 'Z') return;
    await sleep(100);
  }
}

/** The pid of a direct child of this process whose command line contains `needle` (one a library spawned for us). */
export function findChildPid(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(statFields(entry)?.[1]) !== process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}
