import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger };

export interface LoggerOptions {
  level: Config['logLevel'];
  /** `api` or `worker`: every line carries it as `name`. */
  name: string;
  /** Undefined: pretty on a terminal outside production, JSON otherwise. */
  format?: Config['logFormat'];
  env?: Config['env'];
  /** Where JSON lines go (stdout by default); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * One JSON object per line, with an ISO `time` and the level as a word, which log shippers
 * (Loki, Elasticsearch, CloudWatch) index without a custom parser. Pretty output (pino-pretty, a
 * dev dependency) with LOG_FORMAT=pretty, as `npm run dev` sets for its parts, or on a terminal.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const pretty = opts.format === 'pretty' || (opts.format === undefined && opts.env !== 'production' && !opts.destination && process.stdout.isTTY);
  const options: pino.LoggerOptions = {
    name: opts.name,
    level: opts.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (pretty) {
    // Colours follow the terminal, FORCE_COLOR and NO_COLOR.
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
