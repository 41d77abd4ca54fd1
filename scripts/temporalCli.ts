import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findGo, goInstall, isExecutable, onPath } from './lib/goInstall';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TOOLS_BIN = path.resolve(__dirname, '..', '.tools', 'bin');

/** Where the dev server binary comes from: a file we found or built, or the SDK's own download. */
export type TemporalExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

const log = (msg: string) => console.log(`[temporal-cli] ${msg}`);

/** Builds the CLI with `go install` into the ignored tools folder, printing progress as it goes. */
async function buildWithGo(go: string): Promise<string | null> {
  log(`building github.com/temporalio/cli ${TEMPORAL_CLI_VERSION} with Go into ${TOOLS_BIN}`);
  log('the first build downloads modules and compiles for a few minutes; later runs reuse the binary');
  const ok = await goInstall({ go, pkg: `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`, gobin: TOOLS_BIN, log });
  const binary = path.join(TOOLS_BIN, 'temporal');
  return ok && isExecutable(binary) ? binary : null;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI_PATH, then `temporal` on PATH, then the tools folder;
 * builds it with Go when none is there; otherwise falls back to the SDK's download.
 */
export async function ensureTemporalCli(): Promise<TemporalExecutable> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { type: 'existing-path', path: fromEnv };
    log(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file; looking elsewhere`);
  }
  const found = onPath('temporal') ?? (isExecutable(path.join(TOOLS_BIN, 'temporal')) ? path.join(TOOLS_BIN, 'temporal') : null);
  if (found) return { type: 'existing-path', path: found };
  const go = findGo();
  if (go) {
    const built = await buildWithGo(go);
    if (built) return { type: 'existing-path', path: built };
  }
  log('no Temporal CLI and no Go toolchain: falling back to the Temporal SDK download');
  return { type: 'cached-download' };
}

export function describeExecutable(exe: TemporalExecutable): string {
  if (exe.type === 'cached-download') return 'SDK download';
  const out = spawnSync(exe.path, ['--version'], { encoding: 'utf8' });
  return `${exe.path} (${(out.stdout || '').trim() || 'unknown version'})`;
}

if (require.main === module) {
  ensureTemporalCli()
    .then((exe) => log(`using ${describeExecutable(exe)}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
