import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropDatabase, withDatabase } from '../scripts/postgres';
import { freePort } from '../scripts/lib/ports';
import { signalAndWait } from '../scripts/lib/processes';
import { eventually } from './helpers/reservations';

const ROOT = path.join(__dirname, '..');

/**
 * `npm run dev` in watch mode: a change under src/ restarts the API and the worker, while the
 * Temporal dev server and Postgres keep running.
 */
describe('npm run dev: watch mode', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dev-watch-'));
  const databaseUrl = withDatabase(process.env.TEST_DATABASE_URL as string, `dev_watch_${randomUUID().replace(/-/g, '')}`);
  let dev: ChildProcess | undefined;
  let out = '';
  const count = (text: string) => out.split(text).length - 1;

  afterAll(async () => {
    if (dev) await signalAndWait(dev, 'SIGTERM');
    await dropDatabase(databaseUrl).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('restarts the API and the worker on a change in src/, keeping Temporal running', async () => {
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    dev = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'dev.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_TASK_QUEUE: `dev-watch-${randomUUID()}`,
        DATABASE_URL: databaseUrl,
        DEV_DATA_DIR: dataDir,
        WORKER_METRICS_PORT: '0',
        WORKER_APP_METRICS_PORT: '0',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    dev.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    dev.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(async () => out.includes('press Ctrl-C to stop'), 150_000, 250).catch(() => {
      throw new Error(`npm run dev did not get ready:\n${out}`);
    });
    expect(count('API listening')).toBe(1);
    expect(count('worker started')).toBe(1);

    // The same bytes written again: a change event, and nothing in the repository changes.
    const file = path.join(ROOT, 'src', 'money.ts');
    writeFileSync(file, readFileSync(file));

    await eventually(async () => count('API listening') === 2 && count('worker started') === 2, 90_000, 250).catch(() => {
      throw new Error(`no restart:\n${out}`);
    });
    expect(out).toContain('changed: src/money.ts; restarting the API and the worker');
    expect(count('starting the Temporal dev server')).toBe(1);
    expect(out).not.toContain('exited unexpectedly');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    await signalAndWait(dev, 'SIGTERM');
    expect(dev.exitCode).toBe(0);
    dev = undefined;
  }, 300_000);
});
