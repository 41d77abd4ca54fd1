import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../knexfile';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** `npm run migrate`, `migrate:down` (the last batch only) and `migrate:down:all`, as processes on a database of their own. */
describe('migrate commands', () => {
  const name = `migrations_${randomUUID().replace(/-/g, '')}`;
  let admin: Knex;
  let db: Knex;
  let url: string;

  const migrate = async (command: string) => (await run(TSX, ['scripts/migrate.ts', command], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } })).stdout.trim();
  const applied = async () => (await db('knex_migrations').orderBy('id').select('name', 'batch')) as { name: string; batch: number }[];
  const hasTable = (table: string) => db.schema.hasTable(table);

  beforeAll(async () => {
    const base = process.env.TEST_DATABASE_URL;
    if (!base) throw new Error('TEST_DATABASE_URL is not set: run through jest');
    admin = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE DATABASE ??', [name]);
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    db = knexFactory(knexConfig(url));
  });
  afterAll(async () => {
    await db?.destroy();
    await admin?.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin?.destroy();
  });

  it('rolls back the last batch only, re-applies it, and rolls back everything only when asked by name', async () => {
    const [, pending] = (await db.migrate.list()) as [unknown, { file: string }[]];
    const files = pending.map((p) => p.file);
    expect(files.length).toBeGreaterThan(3);
    // An older deployment: every migration but the last two, one batch each.
    for (let i = 0; i < files.length - 2; i++) await db.migrate.up();
    expect(await migrate('latest')).toContain(files.slice(-2).join(', '));
    const before = await applied();
    const lastBatch = before[before.length - 1].batch;
    expect(before.filter((m) => m.batch === lastBatch).map((m) => m.name)).toEqual(files.slice(-2));

    expect(await migrate('rollback')).toBe(`rolled back batch ${lastBatch}: ${files.slice(-2).reverse().join(', ')}`);
    expect(await applied()).toEqual(before.slice(0, -2));
    expect(await hasTable('users')).toBe(true);

    expect(await migrate('latest')).toContain(files.slice(-2).join(', '));
    expect((await applied()).map((m) => m.name)).toEqual(files);

    expect(await migrate('rollback-all')).toBe(`rolled back every batch: ${files.length} migration(s)`);
    expect(await applied()).toEqual([]);
    expect(await hasTable('users')).toBe(false);
    expect(await hasTable('reservations')).toBe(false);

    // Every down() undid its up(): the whole chain applies again on the emptied database.
    expect(await migrate('latest')).toMatch(/^batch \d+: /);
    expect((await applied()).map((m) => m.name)).toEqual(files);
    expect(await hasTable('reservations')).toBe(true);
  }, 120_000);

  it('refuses an unknown command, changing nothing', async () => {
    await expect(migrate('down-everything')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('unknown migrate command down-everything') });
  }, 60_000);
});
