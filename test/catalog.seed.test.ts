import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcrypt';
import { DEMO_ACCOUNTS } from '../scripts/seed';
import { apiClient } from './helpers/http';
import { useTestStack, type TestStack } from './helpers/stack';

const run = promisify(execFile);

describe('npm run seed', () => {
  const { stack } = useTestStack({ worker: false });

  const seed = () =>
    run(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, '../scripts/seed.ts')], {
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: stack.config.databaseUrl, BCRYPT_ROUNDS: '4', LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });

  async function demoCounts() {
    const halls = await stack.knex('auditoriums').whereIn('name', ['Grand Hall', 'Studio 2']).pluck('id');
    const count = async (q: ReturnType<TestStack['knex']>) => Number((await q.count<{ count: number }[]>({ count: '*' }))[0].count);
    return {
      users: await count(stack.knex('users').whereIn('email', DEMO_ACCOUNTS.map((a) => a.email))),
      movies: await count(stack.knex('movies').whereIn('title', ['The Last Projectionist', 'Orbit of Glass', 'Midnight at the Paradiso', 'Paper Tigers', 'The Long Shadow'])),
      halls: halls.length,
      seats: await count(stack.knex('seats').whereIn('auditorium_id', halls)),
      showtimes: await count(stack.knex('showtimes').whereIn('auditorium_id', halls)),
    };
  }

  it('builds a demo cinema with accounts, prints the credentials, and adds nothing the second time', async () => {
    const first = await seed();
    for (const account of DEMO_ACCOUNTS) expect(first.stdout).toContain(`${account.email}  /  ${account.password}`);
    const after = await demoCounts();
    expect(after).toEqual({ users: 2, movies: 5, halls: 2, seats: 418 + 102, showtimes: 2 * 3 * 4 });

    const second = await seed();
    expect(second.stdout).toContain('added 0 movies, 0 auditoriums, 0 seats, 0 showtimes');
    expect(second.stdout).toContain('already existed');
    expect(await demoCounts()).toEqual(after);

    for (const account of DEMO_ACCOUNTS) {
      const user = await stack.knex('users').where({ email: account.email }).first('role', 'password_hash');
      expect(user.role).toBe(account.role);
      expect(await bcrypt.compare(account.password, user.password_hash)).toBe(true);
    }

    // The large hall has premium and wheelchair rows, and its showtimes serve a seat map.
    const api = apiClient(stack.baseUrl);
    const grand = await stack.knex('auditoriums').where({ name: 'Grand Hall' }).first('id');
    const hall = (await api.get(`/auditoriums/${grand.id}`)).body;
    expect(hall.seat_count).toBeGreaterThanOrEqual(400);
    expect(new Set(hall.seats.map((s: { seat_type: string }) => s.seat_type))).toEqual(new Set(['regular', 'premium', 'wheelchair']));
    const shows = (await api.get(`/showtimes?auditorium_id=${grand.id}&from=${encodeURIComponent(new Date().toISOString())}`)).body;
    expect(shows.total).toBe(12);
    const map = (await api.get(`/showtimes/${shows.items[0].id}/seats`)).body;
    expect(map.counts.available).toBe(hall.seat_count);
  });
});
