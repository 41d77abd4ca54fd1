import type { Knex } from 'knex';

export const MIGRATE_COMMANDS = ['latest', 'rollback', 'rollback-all'] as const;
export type MigrateCommand = (typeof MIGRATE_COMMANDS)[number];

export function isMigrateCommand(value: string): value is MigrateCommand {
  return (MIGRATE_COMMANDS as readonly string[]).includes(value);
}

/**
 * `rollback` undoes the last batch only (what the last `migrate` applied); undoing every batch,
 * which drops all the data, is `rollback-all` and has to be asked for by name.
 */
export async function runMigrations(knex: Knex, command: MigrateCommand): Promise<string> {
  if (command === 'latest') {
    const [batch, files] = (await knex.migrate.latest()) as [number, string[]];
    return files.length ? `batch ${batch}: ${files.join(', ')}` : 'database is up to date';
  }
  const [batch, files] = (await knex.migrate.rollback(undefined, command === 'rollback-all')) as [number, string[]];
  if (files.length === 0) return 'nothing to roll back';
  return command === 'rollback-all' ? `rolled back every batch: ${files.length} migration(s)` : `rolled back batch ${batch}: ${files.join(', ')}`;
}
