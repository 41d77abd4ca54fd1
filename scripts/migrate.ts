import knexFactory from 'knex';
import { knexConfig } from '../knexfile';
import { MIGRATE_COMMANDS, isMigrateCommand, runMigrations } from './lib/migrations';

/** `npm run migrate` (latest), `npm run migrate:down` (the last batch), `npm run migrate:down:all` (every batch) against DATABASE_URL. */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'latest';
  if (!isMigrateCommand(command)) throw new Error(`unknown migrate command ${command}: use one of ${MIGRATE_COMMANDS.join(', ')}`);
  const knex = knexFactory(knexConfig());
  try {
    console.log(await runMigrations(knex, command));
  } finally {
    await knex.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
