import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** The Go toolchain: `go` on PATH, or where the official tarball puts it. */
export function findGo(): string | null {
  return onPath('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

/**
 * `go install -v <pkg>@<version>` into `gobin`, printing progress every 15 s (packages compiled so
 * far and the last one), since a first build takes minutes. Later builds reuse Go's build cache.
 * Resolves to whether it succeeded.
 */
export async function goInstall(opts: { go: string; pkg: string; gobin: string; log: (line: string) => void }): Promise<boolean> {
  const { go, pkg, gobin, log } = opts;
  mkdirSync(gobin, { recursive: true });
  const started = Date.now();
  const child = spawn(go, ['install', '-v', pkg], {
    env: { ...process.env, GOBIN: gobin, GOFLAGS: process.env.GOFLAGS ?? '-mod=mod' },
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
  if (code !== 0) {
    log(`go install ${pkg} failed (exit ${code}): ${lastLine}`);
    return false;
  }
  log(`built ${pkg} in ${Math.round((Date.now() - started) / 1000)} s`);
  return true;
}
