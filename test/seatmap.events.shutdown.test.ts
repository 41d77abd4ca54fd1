import { startApiProcess } from './helpers/apiProcess';
import { createShowtime } from './helpers/factories';
import { openSse } from './helpers/sse';
import { useTestStack } from './helpers/stack';

/** src/server.ts on SIGTERM: open seat-map streams end (clients reconnect elsewhere), the API exits 0. */
describe('graceful shutdown with live seat-map streams', () => {
  const { stack } = useTestStack({ worker: false });

  it('ends every stream and exits 0 well before the shutdown timeout', async () => {
    const api = await startApiProcess(stack.config);
    const exited = new Promise<number | null>((resolve) => api.child.once('exit', (code) => resolve(code)));
    try {
      const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
      const streams = await Promise.all([1, 2].map(() => openSse(`${api.baseUrl}/api/v1/showtimes/${st.id}/seats/events`)));
      for (const s of streams) await s.next((m) => m.event === 'snapshot');
      const t0 = Date.now();
      api.child.kill('SIGTERM');
      await Promise.all(streams.map((s) => s.ended));
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await api.kill();
    }
  });
});
