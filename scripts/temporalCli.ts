import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TOOLS_BIN = path.resolve(__dirname, '..', '.tools', 'bin');

/** Where the dev server binary comes from: a file we found or built, or the SDK's own download. */
export type TemporalExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

const log = (msg: string) => console.log(`[temporal-cli] ${msg}`);

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** Builds the CLI with `go install` into the ignored tools folder, printing progress as it goes. */
async function buildWithGo(go: string): Promise<string | null> {
  mkdirSync(TOOLS_BIN, { recursive: true });
  log(`building github.com/temporalio/cli ${TEMPORAL_CLI_VERSION} with Go into ${TOOLS_BIN}`);
  log('the first build downloads modules and compiles for a few minutes; later runs reuse the binary');
  const started = Date.now();
  const child = spawn(go, ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let packages = 0;
  let lastLine = '';
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lastLine = line;
      if (!line.startsWith('go: downloading')) packages += 1;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const ticker = setInterval(() => {
    log(`still building (${Math.round((Date.now() - started) / 1000)} s, ${packages} packages so far; last: ${lastLine.slice(0, 80)})`);
  }, 15_000);
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearInterval(ticker);
  const binary = path.join(TOOLS_BIN, 'temporal');
  if (code !== 0 || !isExecutable(binary)) {
    log(`go install failed (exit ${code}): ${lastLine}`);
    return null;
  }
  log(`built ${binary} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
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
  const go = onPath('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
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
