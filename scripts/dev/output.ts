/** The dev script's output: one line per log line, each under its part's coloured prefix. */
import readline from 'node:readline';
import type { Readable } from 'node:stream';

export type Part = 'dev' | 'temporal' | 'postgres' | 'worker' | 'api';
const PART_COLORS: Record<Part, string> = { dev: '36', temporal: '35', postgres: '34', worker: '33', api: '32' };
const PREFIX_WIDTH = Math.max(...Object.keys(PART_COLORS).map((p) => p.length)) + 2;

export function wantsColor(): boolean {
  if (process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return Boolean(process.stdout.isTTY);
}

export function paint(color: boolean, code: string, text: string): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export function prefixed(color: boolean, part: Part, line: string): string {
  return `${paint(color, PART_COLORS[part], `[${part}]`.padEnd(PREFIX_WIDTH))} ${line}\n`;
}

/** Calls `onLine` for each line of a stream, then `onEnd` once it closes. */
export function eachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', onLine);
  return new Promise((resolve) => rl.once('close', resolve));
}

/** A URL fit to print: its password masked. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
