/**
 * What the seat history's hold trigger (`seat_history_held`, migrations/20261202000400) costs the
 * hold: the hold's own transaction, as bench/scenarios/postgresHold.ts runs it, timed with the
 * trigger enabled and disabled in alternating rounds, on a database of its own (created, migrated
 * and dropped here, since it disables a trigger). Plus the bare seat insert, server-side, without
 * client round trips. A quick measurement for the report, not part of `npm run bench`.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/seatHistoryTrigger.ts [holds per round] [seats per hold] [clients] [rounds]
 */
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../knexfile';

const HOLDS = Number(process.argv[2] ?? 400);
const SEATS = Number(process.argv[3] ?? 4);
const CLIENTS = Number(process.argv[4] ?? 1);
const ROUNDS = Number(process.argv[5] ?? 6);

async function hold(knex: Knex, userId: number, showtimeId: number, seatIds: number[]): Promise<void> {
  const id = randomUUID();
  await knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [id]);
    await trx('reservations')
      .insert({ id, user_id: userId, showtime_id: showtimeId, status: 'held', total_price: '20.00', hold_expires_at: new Date(Date.now() + 600_000), workflow_id: `reservation-${id}` })
      .onConflict('id')
      .ignore()
      .returning('*');
    await trx.raw('SELECT seat_id FROM unnest(?::int[]) AS seat_id WHERE NOT pg_try_advisory_xact_lock(?, seat_id)', [seatIds, showtimeId]);
    const held = await trx('reservation_seats')
      .insert(seatIds.map((seat_id) => ({ reservation_id: id, showtime_id: showtimeId, seat_id, price_at_booking: '10.00' })))
      .onConflict()
      .ignore()
      .returning('seat_id');
    if (held.length !== seatIds.length) throw new Error('seat insert conflicted');
    await trx.raw(
      `SELECT (SELECT NOT is_deleted FROM showtimes WHERE id = ?) AS showtime_ok,
              (SELECT count(*) FROM seats WHERE id = ANY(?) AND is_active AND NOT is_deleted) AS active_seats`,
      [showtimeId, seatIds],
    );
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `seat_history_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [name]);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const knex = knexFactory({ ...knexConfig(url.toString()), pool: { min: 0, max: Math.max(2, CLIENTS) } });
  try {
    await knex.migrate.latest();
    const [user] = await knex('users').insert({ name: 'bench', email: `${name}@example.test`, password_hash: 'x' }).returning('id');
    const [aud] = await knex('auditoriums').insert({ name }).returning('id');
    const seatCount = HOLDS * SEATS;
    const seatIds: number[] = [];
    for (let i = 0; i < seatCount; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, seatCount - i) }, (_, j) => ({ auditorium_id: aud.id, row: `R${Math.floor((i + j) / 100)}`, number: ((i + j) % 100) + 1 }));
      seatIds.push(...(await knex('seats').insert(rows).returning('id')).map((r: { id: number }) => r.id));
    }
    const [movie] = await knex('movies').insert({ title: name, duration_minutes: 90 }).returning('id');
    const startsAt = new Date(Date.now() + 86_400_000);
    const [show] = await knex('showtimes')
      .insert({ movie_id: movie.id, auditorium_id: aud.id, starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 7_200_000), base_price: '10.00' })
      .returning('id');
    await knex.raw('ANALYZE');

    const timings: Record<'on' | 'off', number[]> = { on: [], off: [] };
    const rounds: { mode: 'on' | 'off'; ms: number; history: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift of the machine's load hits both alike.
      for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        await knex.raw(`ALTER TABLE reservation_seats ${mode === 'on' ? 'ENABLE' : 'DISABLE'} TRIGGER seat_history_held`);
        await knex.raw('TRUNCATE reservation_seats, reservations, seat_history, seat_event_changes, seat_events, seat_versions CASCADE');
        let next = 0;
        const started = Date.now();
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            for (let i = next++; i < HOLDS; i = next++) {
              const t0 = process.hrtime.bigint();
              await hold(knex, user.id, show.id, seatIds.slice(i * SEATS, (i + 1) * SEATS));
              timings[mode].push(Number(process.hrtime.bigint() - t0) / 1e6);
            }
          }),
        );
        const history = Number((await knex('seat_history').count({ n: '*' }))[0].n);
        rounds.push({ mode, ms: Date.now() - started, history });
      }
    }
    console.log(`${HOLDS} holds of ${SEATS} seats per round, ${CLIENTS} client(s), ${ROUNDS} rounds each way`);
    for (const r of rounds) console.log(`  trigger ${r.mode.padEnd(3)} ${String(r.ms).padStart(6)} ms  (${(r.ms / HOLDS).toFixed(3)} ms/hold, ${r.history} history rows)`);
    for (const mode of ['on', 'off'] as const) {
      const sorted = [...timings[mode]].sort((a, b) => a - b);
      console.log(`trigger ${mode}: mean ${mean(sorted).toFixed(3)} ms, p50 ${quantile(sorted, 0.5).toFixed(3)} ms, p95 ${quantile(sorted, 0.95).toFixed(3)} ms, p99 ${quantile(sorted, 0.99).toFixed(3)} ms`);
    }

    // The seat insert alone, server-side: no client round trips in the way of the difference.
    const serverSide = async (mode: 'on' | 'off'): Promise<number> => {
      await knex.raw(`ALTER TABLE reservation_seats ${mode === 'on' ? 'ENABLE' : 'DISABLE'} TRIGGER seat_history_held`);
      await knex.raw('TRUNCATE reservation_seats, reservations, seat_history, seat_event_changes, seat_events, seat_versions CASCADE');
      await knex.raw(
        `INSERT INTO reservations (id, user_id, showtime_id, total_price, hold_expires_at, workflow_id)
         SELECT gen_random_uuid(), ?, ?, 0, now() + interval '10 minutes', 'bench-' || lpad(g::text, 8, '0') FROM generate_series(1, ?) g`,
        [user.id, show.id, HOLDS],
      );
      const ids = (await knex('reservations').orderBy('workflow_id').pluck('id')) as string[];
      // One statement per hold, as the API inserts a hold's seats, in a loop on the server.
      return knex.transaction(async (trx) => {
        await trx.raw(`CREATE OR REPLACE FUNCTION pg_temp.bench_seat_inserts(ids uuid[], seats int[], sid int, per int) RETURNS float LANGUAGE plpgsql AS $$
        DECLARE t0 timestamptz := clock_timestamp(); i int;
        BEGIN
          FOR i IN 1 .. array_length(ids, 1) LOOP
            INSERT INTO reservation_seats (reservation_id, showtime_id, seat_id, price_at_booking)
            SELECT ids[i], sid, s, 10 FROM unnest(seats[(i - 1) * per + 1 : i * per]) s;
          END LOOP;
          RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
        END $$`);
        const res = await trx.raw<{ rows: { ms: number }[] }>('SELECT pg_temp.bench_seat_inserts(?::uuid[], ?::int[], ?, ?) AS ms', [ids, seatIds, show.id, SEATS]);
        return Number(res.rows[0].ms);
      });
    };
    const server: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) server[mode].push(await serverSide(mode));
    }
    for (const mode of ['on', 'off'] as const) {
      const sorted = [...server[mode]].sort((a, b) => a - b);
      console.log(`server-side seat inserts, trigger ${mode}: median ${(quantile(sorted, 0.5) / HOLDS * 1000).toFixed(1)} µs per ${SEATS}-seat insert statement (rounds: ${sorted.map((x) => x.toFixed(0)).join(', ')} ms)`);
    }
  } finally {
    await knex.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
