import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/**
 * The primary of API_PROCESSES > 1: forks that many API processes, which share PORT through
 * node:cluster (the primary accepts and hands connections round-robin). The processes share
 * nothing in memory that matters: rate limits, idempotency and seats live in Postgres, and each
 * process listens to the seat events itself. SIGTERM/SIGINT are passed on, and the primary exits
 * once every process has finished its in-flight requests. A process that dies is replaced,
 * unless it died before it ever listened (a bad config, a port taken, a database that refuses):
 * a replacement would die the same way, so all stop, non-zero.
 */
export function runApiCluster(processes: number, logger: Logger): void {
  let stopping = false;
  const listened = new Map<Worker, boolean>();
  const fork = () => listened.set(cluster.fork(), false);
  cluster.on('listening', (worker) => listened.set(worker, true));
  for (let i = 0; i < processes; i++) fork();

  cluster.on('exit', (worker, code, signal) => {
    const served = listened.get(worker) ?? false;
    listened.delete(worker);
    if (stopping) {
      if (listened.size === 0) process.exit();
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'an API process died');
    if (!served) {
      process.exitCode = 1;
      stop('SIGTERM');
      return;
    }
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, processes: listened.size }, 'stopping the API processes');
    for (const worker of listened.keys()) worker.process.kill(signal);
    if (listened.size === 0) process.exit();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
