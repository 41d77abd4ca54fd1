import bcrypt from 'bcrypt';
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../knexfile';
import { loadConfig } from '../src/config';
import type { SeatType, UserRole } from '../src/db/models';

/**
 * `npm run seed`: a demo cinema (movies, two auditoriums, showtimes over the next days) and an
 * admin and a user account with known passwords, printed at the end. Idempotent: everything is
 * looked up by its natural key first (email, title, auditorium name, seat position) and a
 * showtime whose slot is taken is skipped, so a second run adds nothing.
 */

interface DemoAccount {
  role: UserRole;
  name: string;
  email: string;
  password: string;
}

// Plain ASCII on purpose: the login path normalises passwords (NFKC) before bcrypt, which
// leaves ASCII unchanged, so hashing them directly here matches what login checks.
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { role: 'admin', name: 'Demo Admin', email: 'admin@demo.cinema.test', password: 'demo-admin-password' },
  { role: 'user', name: 'Demo User', email: 'user@demo.cinema.test', password: 'demo-user-password' },
];

const DEMO_MOVIES = [
  { title: 'The Last Projectionist', duration_minutes: 118, genre: 'Drama', rating: 'PG-13', description: 'A small-town cinema shows its final reel.' },
  { title: 'Orbit of Glass', duration_minutes: 142, genre: 'Sci-Fi', rating: 'PG-13', description: 'A salvage crew finds a station that should not exist.' },
  { title: 'Midnight at the Paradiso', duration_minutes: 96, genre: 'Comedy', rating: 'PG', description: 'One night, one usher, one thousand things going wrong.' },
  { title: 'Paper Tigers', duration_minutes: 88, genre: 'Animation', rating: 'G', description: 'Origami animals come to life in a Kyoto stationery shop.' },
  { title: 'The Long Shadow', duration_minutes: 127, genre: 'Thriller', rating: 'R', description: 'A detective retraces a case she closed twenty years ago.' },
];

interface DemoRow {
  row: string;
  seats: number;
  seat_type: SeatType;
  price_modifier: string;
}

const rowsOf = (labels: string, seats: number, seat_type: SeatType = 'regular', price_modifier = '0.00'): DemoRow[] =>
  [...labels].map((row) => ({ row, seats, seat_type, price_modifier }));

const DEMO_AUDITORIUMS: { name: string; base_price: string; rows: DemoRow[] }[] = [
  {
    // 418 seats: a wheelchair row at the front, premium rows M-P in the middle.
    name: 'Grand Hall',
    base_price: '12.50',
    rows: [...rowsOf('A', 10, 'wheelchair'), ...rowsOf('BCDEFGHIJKL', 24), ...rowsOf('MNOP', 24, 'premium', '3.50'), ...rowsOf('QR', 24)],
  },
  {
    name: 'Studio 2',
    base_price: '9.00',
    rows: [...rowsOf('A', 4, 'wheelchair'), ...rowsOf('BCDEFG', 14), ...rowsOf('H', 14, 'premium', '2.00')],
  },
];

/** Start times (UTC) each day; 3.5 h apart, more than the longest movie plus cleaning. */
const DAILY_STARTS_UTC = ['12:00', '15:30', '19:00', '22:30'];
const DAYS_AHEAD = 3;

export interface SeedSummary {
  accounts: (DemoAccount & { created: boolean })[];
  created: { movies: number; auditoriums: number; seats: number; showtimes: number };
}

export async function seedDemoData(
  knex: Knex,
  opts: { bcryptRounds: number; cleaningBufferMinutes: number; now?: Date },
): Promise<SeedSummary> {
  const now = opts.now ?? new Date();
  // Hash outside the transaction: bcrypt is slow and the lock need not wait for it.
  const hashes = await Promise.all(DEMO_ACCOUNTS.map((a) => bcrypt.hash(a.password, opts.bcryptRounds)));
  return knex.transaction(async (trx) => {
    // Two seeds at once would both see "missing" and both insert; one at a time.
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('seed-demo-cinema'))`);
    const created = { movies: 0, auditoriums: 0, seats: 0, showtimes: 0 };

    const accounts: SeedSummary['accounts'] = [];
    for (const [i, account] of DEMO_ACCOUNTS.entries()) {
      const existing = await trx('users').whereRaw('lower(email) = lower(?)', [account.email]).first('id');
      if (!existing) {
        await trx('users').insert({ name: account.name, email: account.email, password_hash: hashes[i], role: account.role });
      }
      accounts.push({ ...account, created: !existing });
    }

    const movies: { id: number; duration_minutes: number }[] = [];
    for (const movie of DEMO_MOVIES) {
      let row = await trx('movies').whereRaw('lower(title) = lower(?)', [movie.title]).where('is_deleted', false).first('id', 'duration_minutes');
      if (!row) {
        [row] = await trx('movies').insert(movie).returning(['id', 'duration_minutes']);
        created.movies += 1;
      }
      movies.push(row);
    }

    for (const [hallIndex, hall] of DEMO_AUDITORIUMS.entries()) {
      let auditorium = await trx('auditoriums').whereRaw('lower(name) = lower(?)', [hall.name]).where('is_deleted', false).first('id');
      if (!auditorium) {
        [auditorium] = await trx('auditoriums').insert({ name: hall.name }).returning('id');
        created.auditoriums += 1;
      }
      const seats = hall.rows.flatMap((r) =>
        Array.from({ length: r.seats }, (_, i) => ({ auditorium_id: auditorium.id, row: r.row, number: i + 1, seat_type: r.seat_type, price_modifier: r.price_modifier })),
      );
      const inserted = await trx('seats').insert(seats).onConflict(['auditorium_id', 'row', 'number']).ignore().returning('id');
      created.seats += inserted.length;

      for (let day = 1; day <= DAYS_AHEAD; day += 1) {
        for (const [slot, time] of DAILY_STARTS_UTC.entries()) {
          const [hours, minutes] = time.split(':').map(Number);
          const startsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + day, hours, minutes));
          // Rotate the programme so each hall shows every movie over the days.
          const movie = movies[(day * DAILY_STARTS_UTC.length + slot + hallIndex) % movies.length];
          const endsAt = new Date(startsAt.getTime() + (movie.duration_minutes + opts.cleaningBufferMinutes) * 60_000);
          const evening = hours >= 19 ? 200 : 0;
          const basePrice = ((Math.round(Number(hall.base_price) * 100) + evening) / 100).toFixed(2);
          // ON CONFLICT DO NOTHING also covers the exclusion constraint: a taken slot is skipped.
          const rows = await trx('showtimes')
            .insert({ movie_id: movie.id, auditorium_id: auditorium.id, starts_at: startsAt, ends_at: endsAt, base_price: basePrice })
            .onConflict()
            .ignore()
            .returning('id');
          created.showtimes += rows.length;
        }
      }
    }
    return { accounts, created };
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.env === 'production') throw new Error('Refusing to seed demo accounts with known passwords into a production database');
  const knex = knexFactory(knexConfig(config.databaseUrl));
  try {
    await knex.migrate.latest();
    const summary = await seedDemoData(knex, { bcryptRounds: config.bcryptRounds, cleaningBufferMinutes: config.cleaningBufferMinutes });
    const { created } = summary;
    console.log(`Demo cinema ready: added ${created.movies} movies, ${created.auditoriums} auditoriums, ${created.seats} seats, ${created.showtimes} showtimes.`);
    console.log('Demo accounts (POST /api/v1/auth/login):');
    for (const a of summary.accounts) {
      const note = a.created ? '' : '  (already existed; its password was left as it is)';
      console.log(`  ${a.role.padEnd(5)}  ${a.email}  /  ${a.password}${note}`);
    }
  } finally {
    await knex.destroy();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
