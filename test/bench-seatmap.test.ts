import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchCli } from '../bench/cli';
import { renderSaleOrder, SEATMAP_END, SEATMAP_START, seatMapSection, updateReadmeSeatMap, type SoldSeat } from '../bench/seatMapPicture';

/** The bench's seat-map picture and its options; synthetic seats, no benchmark run. */
describe('benchmark seat map picture', () => {
  const seat = (row: string, number: number, heldAt: number | null, usable = true): SoldSeat => ({ row, number, usable, heldAt });

  it('draws each seat by the tenth of the sale it went in, free seats as dots, out of service as x', () => {
    const seats = [
      ...[1, 2, 3, 4].map((n) => seat('A', n, n <= 2 ? 1_000 + n : null)),
      seat('B', 1, null, false),
      ...[2, 3, 4].map((n) => seat('B', n, 2_000 + n)),
    ];
    const lines = renderSaleOrder(seats).split('\n');
    expect(lines[0]).toContain('screen');
    // Five holds: each is two tenths of the sale.
    expect(lines.slice(2)).toEqual(['A  02..', 'B  x468']);
  });

  it('orders rows as people read them and leaves blanks where a row is shorter', () => {
    const lines = renderSaleOrder([seat('AA', 1, null), seat('B', 1, null), seat('B', 2, null), seat('A', 1, 5)]).split('\n');
    expect(lines.slice(2)).toEqual([' A  0 ', ' B  ..', 'AA  . ']);
  });

  it('replaces only what lies between the README markers, and leaves a README without them alone', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seatmap-'));
    try {
      const file = path.join(dir, 'README.md');
      writeFileSync(file, `intro\n${SEATMAP_START}\nold\n${SEATMAP_END}\noutro\n`);
      expect(updateReadmeSeatMap(file, seatMapSection('A  01', 'caption'))).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(`intro\n${SEATMAP_START}\ncaption\n\n\`\`\`text\nA  01\n\`\`\`\n${SEATMAP_END}\noutro\n`);
      writeFileSync(file, 'no markers\n');
      expect(updateReadmeSeatMap(file, 'x')).toBe(false);
      expect(readFileSync(file, 'utf8')).toBe('no markers\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the scenarios --only names, rejects unknown ones, and writes the README only when asked', () => {
    expect([...parseBenchCli(['--only', 'premiere,contention'], '/repo').only]).toEqual(['premiere', 'contention']);
    expect(parseBenchCli([], '/repo').only.size).toBeGreaterThan(5);
    expect(() => parseBenchCli(['--only=premier'], '/repo')).toThrow(/--only takes/);
    expect(parseBenchCli(['--only', 'premiere'], '/repo').seatmapReadme).toBe(false);
    expect(parseBenchCli(['--seatmap-readme'], '/repo').seatmapReadme).toBe(true);
    expect(parseBenchCli(['--write-readme'], '/repo').seatmapReadme).toBe(true);
  });
});
