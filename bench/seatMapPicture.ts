import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One seat of a showtime after a run: where it is and when (if ever) it was held. */
export interface SoldSeat {
  row: string;
  number: number;
  usable: boolean;
  /** The holding reservation's start, ms since epoch; null while free. */
  heldAt: number | null;
}

export const SEATMAP_START = '<!-- seatmap:start -->';
export const SEATMAP_END = '<!-- seatmap:end -->';

const rowOrder = (a: string, b: string) => a.length - b.length || a.localeCompare(b, 'en', { numeric: true });

/**
 * The seat map as rows of characters, each seat by when it was sold: `0` in the first tenth of
 * the holds, `9` in the last, `.` still free, `x` out of service, a blank where a row has no such
 * seat. Best available fills outward from the focal point, so the digits rise from the middle
 * rows' centre to the edges; a `.` with digits either side would be a stranded single seat.
 */
export function renderSaleOrder(seats: readonly SoldSeat[]): string {
  if (seats.length === 0) return '(no seats)';
  const times = [...new Set(seats.flatMap((s) => (s.heldAt === null ? [] : [s.heldAt])))].sort((a, b) => a - b);
  const decile = new Map(times.map((t, i) => [t, Math.min(9, Math.floor((i * 10) / times.length))]));
  const rows = [...new Set(seats.map((s) => s.row))].sort(rowOrder);
  const width = Math.max(...seats.map((s) => s.number));
  const label = Math.max(...rows.map((r) => r.length));
  const cell = (s: SoldSeat | undefined) => (!s ? ' ' : !s.usable ? 'x' : s.heldAt === null ? '.' : String(decile.get(s.heldAt)));
  const ruler = Array.from({ length: width }, (_, i) => ((i + 1) % 5 === 0 ? String((i + 1) % 10) : ' ')).join('');
  const lines = rows.map((row) => {
    const bySeat = new Map(seats.filter((s) => s.row === row).map((s) => [s.number, s]));
    return `${row.padStart(label)}  ${Array.from({ length: width }, (_, i) => cell(bySeat.get(i + 1))).join('')}`;
  });
  const screen = ' screen '.padStart(Math.floor(width / 2) + 4, '-').padEnd(width, '-');
  return [`${' '.repeat(label)}  ${screen}`, `${' '.repeat(label)}  ${ruler}`, ...lines].join('\n');
}

/** The picture with its caption, as it goes between the README's seat-map markers. */
export function seatMapSection(picture: string, caption: string): string {
  return `${caption}\n\n\`\`\`text\n${picture}\n\`\`\``;
}

/** Puts `section` between README.md's seat-map markers; false (file untouched) without them. */
export function updateReadmeSeatMap(readmePath: string, section: string): boolean {
  if (!existsSync(readmePath)) return false;
  const text = readFileSync(readmePath, 'utf8');
  const start = text.indexOf(SEATMAP_START);
  const end = text.indexOf(SEATMAP_END, start + SEATMAP_START.length);
  if (start < 0 || end < 0) return false;
  const next = `${text.slice(0, start + SEATMAP_START.length)}\n${section.trimEnd()}\n${text.slice(end)}`;
  if (next !== text) writeFileSync(readmePath, next);
  return true;
}
