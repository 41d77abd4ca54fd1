import knexFactory from 'knex';
import { knexConfig } from '../knexfile';

/** `npm run migrate` (latest) and `npm run migrate:down` (rollback all) against DATABASE_URL. */
async function main(): Promise<void> {
  const direction = process.argv[2] ?? 'latest';
  const knex = knexFactory(knexConfig());
  try {
    if (direction === 'rollback') {
      const [batch, files] = await knex.migrate.rollback(undefined, true);
      console.log(`rolled back batch ${batch}: ${files.length} migration(s)`);
    } else {
      const [batch, files] = await knex.migrate.latest();
      console.log(files.length ? `batch ${batch}: ${files.join(', ')}` : 'database is up to date');
    }
  } finally {
    await knex.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
