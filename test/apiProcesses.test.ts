import { readdirSync, readFileSync } from 'node:fs';
import { startApiProcess, type ApiProcess } from './helpers/apiProcess';
import { createShowtime, createUser } from './helpers/factories';
import { apiClient } from './helpers/http';
import { eventually } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/** The ids of the live processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name, which may contain spaces, start after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

describe('API_PROCESSES: the API as several processes sharing the port', () => {
  const { stack } = useTestStack();
  let api: ApiProcess | undefined;
  afterEach(async () => api?.kill());

  it('serves from N processes, replaces one that dies, and stops them all on SIGTERM', async () => {
    api = await startApiProcess(stack.config, { API_PROCESSES: '2' });
    const primary = api.child.pid as number;
    // Each process loads the app through tsx: slow on a busy machine.
    const first = await eventually(async () => (childrenOf(primary).length === 2 ? childrenOf(primary) : undefined), 45_000);

    // Holds through the shared port, on fresh connections, land on either process alike.
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 20 }] });
    const users = await Promise.all(Array.from({ length: 10 }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const client = apiClient(api.baseUrl);
    const holds = await Promise.all(users.map((u) => client.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: u.token })));
    expect(holds.map((h) => h.status)).toEqual(Array(10).fill(201));

    // A process that dies after it has served is replaced; one dying before it listens would stop all.
    process.kill(first[0], 'SIGKILL');
    const replaced = await eventually(async () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(first[0]) ? now : undefined;
    }, 45_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; children now ${childrenOf(primary).join(', ')}, were ${first.join(', ')}:\n${api?.output()}`);
    });
    expect(replaced).toContain(first[1]);
    // A kept-alive connection to the killed process fails once; the shared port answers on the next.
    await eventually(async () => (await client.get('/healthz')).status === 200, 10_000);

    await api.stop();
    expect(api.child.exitCode).toBe(0);
    expect(childrenOf(primary)).toEqual([]);
  }, 120_000);
});
