import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** A process that dies this soon after its start is crashing, not failing once: stop rather than loop. */
const CRASH_WINDOW_MS = 5_000;

/**
 * The primary of API_PROCESSES > 1: forks that many API processes, which share PORT through
 * node:cluster (the primary accepts and hands connections round-robin). The processes share
 * nothing in memory that matters: rate limits, idempotency and seats live in Postgres, and each
 * process listens to the seat events itself. SIGTERM/SIGINT are passed on, and the primary exits
 * once every process has finished its in-flight requests. A process that dies is replaced,
 * unless it died right after starting (a bad config, a port taken): then all stop, non-zero.
 */
export function runApiCluster(processes: number, logger: Logger): void {
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(), Date.now());
  for (let i = 0; i < processes; i++) fork();

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit();
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'an API process died');
    if (lived < CRASH_WINDOW_MS) {
      stop('SIGTERM');
      process.exitCode = 1;
      return;
    }
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, processes: startedAt.size }, 'stopping the API processes');
    for (const worker of startedAt.keys()) worker.process.kill(signal);
    if (startedAt.size === 0) process.exit();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
