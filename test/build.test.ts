import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory from 'knex';
import { freePort } from '../scripts/lib/ports';
import { signalAndWait } from '../scripts/lib/processes';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');

/**
 * What the production image runs: `npm run build` compiles to JavaScript and bundles the
 * workflows; the compiled migrate script and API run with plain `node`, without tsx.
 */
describe('the compiled build (npm run build, npm start)', () => {
  // In place of dist/, so the compiled files find node_modules and package.json as the image's do.
  const out = path.join(ROOT, `.build-test-${process.pid}`);
  const dbName = `build_${randomUUID().replace(/-/g, '')}`;
  let api: ChildProcess | undefined;
  const admin = knexFactory({ client: 'pg', connection: process.env.TEST_DATABASE_URL, pool: { min: 0, max: 1 } });

  afterAll(async () => {
    if (api) await signalAndWait(api, 'SIGTERM');
    rmSync(out, { recursive: true, force: true });
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [dbName]);
    await admin.destroy();
  });

  it('compiles, bundles the workflows, migrates a database and serves the API from dist/', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json && node dist/scripts/bundleWorkflows.js dist/workflow-bundle.js');
    const dist = out;
    await run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json', '--outDir', dist], { cwd: ROOT });
    const bundled = await run(process.execPath, [path.join(dist, 'scripts', 'bundleWorkflows.js'), path.join(dist, 'workflow-bundle.js')], { cwd: ROOT });
    expect(bundled.stdout).toContain('workflow-bundle.js');

    await admin.raw('CREATE DATABASE ??', [dbName]);
    const u = new URL(process.env.TEST_DATABASE_URL as string);
    u.pathname = `/${dbName}`;
    const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: u.toString(), TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' };
    const migrated = await run(process.execPath, [path.join(dist, 'scripts', 'migrate.js'), 'latest'], { cwd: ROOT, env });
    expect(migrated.stdout).toMatch(/^batch 1: 20261125000001_initial_schema\.js, /);

    const port = await freePort();
    api = spawn(process.execPath, [path.join(dist, 'src', 'server.js')], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: 'ignore' });
    let health: Response | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && !health; ) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 200));
    }
    expect(health?.status).toBe(200);
    expect(await health?.json()).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });
    const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as { info: { version: string } };
    expect(doc.info.version).toBe(pkg.version);
  }, 240_000);
});
