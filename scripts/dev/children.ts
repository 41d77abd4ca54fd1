/** The API and the worker as child processes of the supervisor, their lines under their prefixes. */
import type { ChildProcess } from 'node:child_process';
import { hasExited, spawnNodeScript, stopProcess } from '../lib/processes';
import { eachLine, type Part } from './output';

export function startChild(part: Part, script: string, env: NodeJS.ProcessEnv, write: (part: Part, line: string) => void): ChildProcess {
  const child = spawnNodeScript(script, { env });
  void eachLine(child.stdout!, (line) => write(part, line));
  void eachLine(child.stderr!, (line) => write(part, line));
  return child;
}

export async function stopChild(child: ChildProcess, part: Part, say: (line: string) => void): Promise<void> {
  // Its exit is asked for now: no "exited unexpectedly".
  child.removeAllListeners('exit');
  if (hasExited(child)) return;
  say(`stopping the ${part}`);
  await stopProcess(child, 20_000, () => say(`the ${part} did not stop within 20 s: killing it`));
}
