import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { PinoTemporalLogger } from './pinoLogger';

/**
 * Installs the Temporal Runtime of the worker process (once, before any connection):
 * - its logger is pino, and the native core's logs are forwarded to it, so everything the
 *   worker prints is one JSON format;
 * - the SDK's metrics (task latencies, slots, polls, activity and workflow outcomes) are served
 *   by the core in Prometheus format on WORKER_METRICS_HOST:WORKER_METRICS_PORT (0: off);
 * - SIGINT/SIGTERM/SIGQUIT/SIGUSR2 shut the workers down (the SDK's default), which makes
 *   `worker.run()` return once running tasks are done.
 *
 * A metrics port that is taken is logged and the worker runs without SDK metrics: a scrape
 * target that is down shows in Prometheus, bookings that stop do too, and worse.
 */
export function installWorkerRuntime(logger: Logger, config: Pick<Config, 'logLevel' | 'workerMetrics'>): void {
  const base: RuntimeOptions = {
    logger: new PinoTemporalLogger(logger),
    telemetryOptions: { logging: { filter: { core: config.logLevel === 'debug' ? 'INFO' : 'WARN', other: 'ERROR' }, forward: {} } },
  };
  const { host, sdkPort } = config.workerMetrics;
  if (sdkPort === 0) {
    Runtime.install(base);
    return;
  }
  const bindAddress = `${host}:${sdkPort}`;
  try {
    Runtime.install({ ...base, telemetryOptions: { ...base.telemetryOptions, metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true } } } });
    logger.info({ bindAddress }, 'Temporal SDK metrics on /metrics');
  } catch (err) {
    logger.error({ err, bindAddress }, 'cannot serve Temporal SDK metrics; running without them');
    Runtime.install(base);
  }
}
