import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { ensureTemporalCli } from '../../scripts/temporalCli';
import { eventually } from './reservations';

const execFileAsync = promisify(execFile);

/** The workflow ids a visibility query lists, sorted. */
export async function listWorkflowIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids.sort();
}

/**
 * Visibility is eventually consistent: polls a query until it lists exactly `expected` (bounded),
 * then returns what it listed last, so the caller's assertion shows the difference on a timeout.
 */
export async function waitForListing(client: Client, query: string, expected: string[], timeoutMs = 15_000): Promise<string[]> {
  const want = [...expected].sort();
  let last: string[] = [];
  try {
    await eventually(async () => {
      last = await listWorkflowIds(client, query);
      return JSON.stringify(last) === JSON.stringify(want);
    }, timeoutMs, 200);
  } catch {
    // fall through: the caller's expect() reports the difference
  }
  return last;
}

/** The Temporal CLI binary the dev server runs from, or null when only the SDK's download exists. */
export async function temporalCliPath(): Promise<string | null> {
  const exe = await ensureTemporalCli();
  return exe.type === 'existing-path' ? exe.path : null;
}

/** Runs the Temporal CLI as an operator would, as a child process; resolves with its stdout. */
export async function runTemporalCli(cli: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cli, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`temporal ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}
