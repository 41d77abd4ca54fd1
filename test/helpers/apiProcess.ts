import { configToEnv, type Config } from '../../src/config';
import { spawnEntryPoint, type EntryPointProcess } from './entryPointProcess';
import { freePort } from '../../scripts/lib/ports';

export interface ApiProcess extends EntryPointProcess {
  baseUrl: string;
}

/**
 * The production API entry point (src/server.ts) as a real child process, so a test can kill it
 * while requests are in flight.
 */
export async function startApiProcess(config: Config, env: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const api = spawnEntryPoint('src/server.ts', { ...configToEnv(config), LOG_LEVEL: 'warn', PORT: String(port), ...env });
  const { child, output } = api;
  const baseUrl = `http://127.0.0.1:${port}`;

  // Ready once it answers /healthz at all (200, or 503 while a backing service is down).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}:\n${output()}`);
    try {
      await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`API did not start within 30 s:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { ...api, baseUrl };
}
