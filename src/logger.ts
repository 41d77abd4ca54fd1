import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs in production and tests, pretty ones in development when pino-pretty is installed. */
export function createLogger(level: string, name: string): Logger {
  const pretty = process.env.NODE_ENV !== 'production' && process.env.LOG_FORMAT !== 'json' && process.stdout.isTTY;
  return pino({
    name,
    level,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
