import { loadHoldShowtime } from '../src/reservations/holdShowtime';
import { createShowtime } from './helpers/factories';
import { useTestStack } from './helpers/stack';

describe('the hold path’s showtime read', () => {
  const { stack } = useTestStack({ worker: false });

  it('is one statement for every request within its second, however often it is awaited', async () => {
    const show = await createShowtime(stack.knex);
    const reads: string[] = [];
    const count = (q: { sql: string }) => {
      if (q.sql.includes('from "showtimes" as "s"')) reads.push(q.sql);
    };
    stack.knex.on('query', count);
    try {
      const rows = await Promise.all([loadHoldShowtime(stack.knex, show.id), loadHoldShowtime(stack.knex, show.id)]);
      const again = await loadHoldShowtime(stack.knex, show.id);
      expect(rows.map((r) => r?.id)).toEqual([show.id, show.id]);
      expect(again).toMatchObject({ id: show.id, title: show.movie.title });
      expect(reads).toHaveLength(1);
    } finally {
      stack.knex.off('query', count);
    }
  });
});
