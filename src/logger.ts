import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs in production and tests; pretty ones (pino-pretty, a dev dependency) in development
 * on a terminal, or with LOG_FORMAT=pretty (as `npm run dev` sets for its parts).
 */
export function createLogger(level: string, name: string): Logger {
  const format = process.env.LOG_FORMAT;
  const pretty = process.env.NODE_ENV !== 'production' && format !== 'json' && (format === 'pretty' || process.stdout.isTTY);
  return pino({
    name,
    level,
    // Colours follow the terminal, FORCE_COLOR and NO_COLOR.
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}
