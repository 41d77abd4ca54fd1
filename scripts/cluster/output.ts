/** `npm run cluster`'s terminal: one line per log line, under its part's coloured prefix. */
const COLORS = ['36', '35', '34', '33', '32', '31', '96', '95', '94', '93', '92'];
const assigned = new Map<string, string>();
const WIDTH = 12;

export function clusterLine(color: boolean, part: string, line: string): string {
  if (!assigned.has(part)) assigned.set(part, COLORS[assigned.size % COLORS.length]);
  const prefix = `[${part}]`.padEnd(WIDTH);
  return `${color ? `\x1b[${assigned.get(part)}m${prefix}\x1b[0m` : prefix} ${line}\n`;
}
