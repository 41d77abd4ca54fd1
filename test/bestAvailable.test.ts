import { canSeat, chooseSeats, defaultFocal, focalOf, orphanSingles, rankCandidates, type LayoutSeat } from '../src/reservations/bestAvailable';

/** A layout from rows of characters: `.` a seat, `w` a wheelchair space, `x` out of service, ` ` no seat (an aisle). */
function hall(...rows: string[]): LayoutSeat[] {
  let id = 0;
  return rows.flatMap((line, r) =>
    [...line].flatMap((ch, i) =>
      ch === ' '
        ? []
        : [{ id: ++id, row: String.fromCharCode(65 + r), number: i + 1, seat_type: ch === 'w' ? ('wheelchair' as const) : ('regular' as const), usable: ch !== 'x' }],
    ),
  );
}
const labels = (layout: LayoutSeat[], ids: number[] | undefined) =>
  (ids ?? []).map((id) => layout.find((s) => s.id === id)).map((s) => `${s?.row}${s?.number}`);
const takenOf = (layout: LayoutSeat[], ...wanted: string[]) => new Set(layout.filter((s) => wanted.includes(`${s.row}${s.number}`)).map((s) => s.id));

describe('best available seats', () => {
  it('seats a party together at the centre of the middle rows', () => {
    const layout = hall('..........', '..........', '..........');
    expect(defaultFocal(layout)).toEqual({ rowIndex: 1, number: 5.5 });
    expect(labels(layout, chooseSeats(layout, new Set(), { quantity: 2, together: true })?.seatIds)).toEqual(['B5', 'B6']);
    expect(labels(layout, chooseSeats(layout, new Set(), { quantity: 3, together: true })?.seatIds)).toEqual(['B4', 'B5', 'B6']);
  });

  it('goes to the seats closest to an auditorium\'s own focal point', () => {
    const layout = hall('..........', '..........', '..........');
    const choice = chooseSeats(layout, new Set(), { quantity: 2, together: true, focal: { rowIndex: 2, number: 2 } });
    expect(labels(layout, choice?.seatIds)).toEqual(['C1', 'C2']);
  });

  it('places a stored focal point (row label, seat number) on the layout\'s rows, or falls back to the centre', () => {
    const layout = hall('..........', '..........', '..........', '..........');
    expect(focalOf(layout, { row: 'C', seat: 7.5 })).toEqual({ rowIndex: 2, number: 7.5 });
    expect(focalOf(layout, null)).toEqual(defaultFocal(layout));
    // A row that is not (or no longer) in the layout: the default, never a point off the map.
    expect(focalOf(layout, { row: 'Q', seat: 3 })).toEqual(defaultFocal(layout));
  });

  it('with a custom focal point, fills outward from it: its row first, then the rows beside it', () => {
    // A back-row focal point (a raised stadium section), right of centre, between seats 7 and 8.
    const layout = hall('..........', '..........', '..........', '..........');
    const focal = focalOf(layout, { row: 'D', seat: 7.5 });
    const taken = new Set<number>();
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const choice = chooseSeats(layout, taken, { quantity: 2, together: true, focal });
      choice?.seatIds.forEach((id) => taken.add(id));
      order.push(labels(layout, choice?.seatIds).join('-'));
    }
    // A row away weighs 1.5 seats sideways: C7-C8 (straight ahead, a row forward) beats D5-D6.
    expect(order).toEqual(['D7-D8', 'C7-C8', 'D5-D6', 'D9-D10', 'C5-C6', 'C9-C10']);
    // The default would have started in the middle rows.
    expect(labels(layout, chooseSeats(layout, new Set(), { quantity: 2, together: true })?.seatIds)).toEqual(['B5', 'B6']);
  });

  it('keeps the rules above the focal point: no single gap beats being closer', () => {
    // Focal point at A3: A2-A3 or A3-A4 would strand A1 or A5 ... A4-A5 strands nothing beside it.
    const layout = hall('.....');
    const focal = focalOf(layout, { row: 'A', seat: 3 });
    const choice = chooseSeats(layout, new Set(), { quantity: 2, together: true, focal });
    expect(choice?.tier).toBe('no_gap');
    expect(['A1-A2', 'A4-A5']).toContain(labels(layout, choice?.seatIds).join('-'));
  });

  it('never leaves a single-seat gap while a block without one exists', () => {
    // B5..B10 free: B5-B6 is central but B7..B10 would stay; B6-B7 would strand B5 alone.
    const layout = hall('xxxxxxxxxx', '....x.....', 'xxxxxxxxxx');
    const taken = takenOf(layout, 'B1', 'B2', 'B3', 'B4');
    const choice = chooseSeats(layout, taken, { quantity: 2, together: true });
    expect(choice?.tier).toBe('no_gap');
    expect(labels(layout, choice?.seatIds)).toEqual(['B6', 'B7']);
    const after = new Set([...taken, ...(choice?.seatIds ?? [])]);
    expect(orphanSingles(layout, after)).toBe(0);
  });

  it('leaves a gap only when no block without one is left', () => {
    // Three free seats: any pair leaves one alone.
    const layout = hall('...');
    const choice = chooseSeats(layout, new Set(), { quantity: 2, together: true });
    expect(choice?.tier).toBe('gap');
    expect(choice?.seatIds).toHaveLength(2);
  });

  it('treats out-of-service seats and aisles as breaks: seats across them are not together', () => {
    const layout = hall('..x..', '.. ..');
    expect(chooseSeats(layout, new Set(), { quantity: 3, together: true })).toBeUndefined();
    expect(chooseSeats(layout, new Set(), { quantity: 2, together: true })?.tier).toBe('no_gap');
  });

  it('scatters the party only when it need not sit together', () => {
    const layout = hall('.x.x.');
    expect(chooseSeats(layout, new Set(), { quantity: 2, together: true })).toBeUndefined();
    const choice = chooseSeats(layout, new Set(), { quantity: 2, together: false });
    expect(choice?.tier).toBe('scattered');
    expect(labels(layout, choice?.seatIds)).toEqual(['A3', 'A1']);
    expect(chooseSeats(layout, new Set(), { quantity: 4, together: false })).toBeUndefined();
  });

  it('prefers a block over scattered seats even when the party need not sit together', () => {
    const layout = hall('....');
    const ranked = rankCandidates(layout, new Set(), { quantity: 2, together: false });
    expect(ranked.map((c) => c.tier)).toEqual(['no_gap', 'no_gap', 'gap', 'scattered']);
  });

  it('offers wheelchair spaces only to those who ask for them, and only them', () => {
    const layout = hall('ww..');
    expect(labels(layout, chooseSeats(layout, new Set(), { quantity: 2, together: true })?.seatIds)).toEqual(['A3', 'A4']);
    expect(labels(layout, chooseSeats(layout, new Set(), { quantity: 2, together: true, seatType: 'wheelchair' })?.seatIds)).toEqual(['A1', 'A2']);
    expect(chooseSeats(layout, takenOf(layout, 'A1'), { quantity: 2, together: true, seatType: 'wheelchair' })).toBeUndefined();
  });

  it('ranks every candidate block best first, so a locked one can fall back to the next', () => {
    const layout = hall('......');
    const ranked = rankCandidates(layout, new Set(), { quantity: 2, together: true });
    expect(ranked.map((c) => labels(layout, c.seatIds).join('-'))).toEqual(['A3-A4', 'A1-A2', 'A5-A6', 'A2-A3', 'A4-A5']);
  });

  it('fills a hall pair by pair without stranding a single seat', () => {
    const layout = hall('........', '........', '........', '........');
    const taken = new Set<number>();
    for (;;) {
      const choice = chooseSeats(layout, taken, { quantity: 2, together: true });
      if (!choice) break;
      choice.seatIds.forEach((id) => taken.add(id));
    }
    expect(taken.size).toBe(layout.length);
  });

  it('says whether a party can be seated exactly when the ranking has a candidate', () => {
    const layout = hall('....x.....', '..w.. ....', 'x.........');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const taken = new Set(layout.filter(() => random() < 0.6).map((s) => s.id));
      for (const quantity of [1, 2, 3, 5]) {
        for (const together of [true, false]) {
          const req = { quantity, together, seatType: random() < 0.2 ? ('wheelchair' as const) : undefined };
          expect(canSeat(layout, taken, req)).toBe(rankCandidates(layout, taken, req).length > 0);
        }
      }
    }
  });

  it('a limited ranking is the same ranking cut short, whatever the hall and what is taken', () => {
    // A pseudo-random sequence, so a failure reproduces.
    let state = 42;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 300; round++) {
      const rows = Array.from({ length: 1 + Math.floor(next() * (round % 3 === 0 ? 20 : 8)) }, () =>
        Array.from({ length: 4 + Math.floor(next() * 14) }, () => (next() < 0.08 ? ' ' : next() < 0.05 ? 'x' : next() < 0.05 ? 'w' : '.')).join(''),
      );
      const layout = hall(...rows);
      const density = next();
      const taken = new Set(layout.filter(() => next() < density).map((s) => s.id));
      // The default focal point, or one anywhere in (or beside) the hall.
      const focal = next() < 0.5 ? undefined : { rowIndex: next() * rows.length, number: next() * 18 };
      const req = { quantity: 1 + Math.floor(next() * 4), together: next() < 0.7, focal };
      const all = rankCandidates(layout, taken, req);
      for (const limit of [1, 2, 5]) expect(rankCandidates(layout, taken, req, limit)).toEqual(all.slice(0, limit));
      expect(chooseSeats(layout, taken, req)).toEqual(all[0]);
      expect(canSeat(layout, taken, req)).toBe(all.length > 0);
      // Asked again of the same layout (its rows are then remembered), the answer is the same.
      expect(rankCandidates(layout, taken, req)).toEqual(all);
    }
  });

  it('early in a sale reads only the rows near the focal point to find the best few blocks, and one pair to know the party fits', () => {
    const layout = hall(...Array.from({ length: 20 }, () => '....................'));
    let asked = 0;
    const taken = { has: () => (asked++, false) };
    const ranked = rankCandidates(layout, taken, { quantity: 2, together: true }, 5);
    expect(ranked.map((c) => labels(layout, c.seatIds))).toEqual([['J9', 'J10'], ['J11', 'J12'], ['K9', 'K10'], ['K11', 'K12'], ['I9', 'I10']]);
    // Of 400 seats, the four middle rows': the next row out is further than the fifth pair.
    expect(asked).toBe(4 * 20);
    expect(rankCandidates(layout, new Set(), { quantity: 2, together: true }).slice(0, 5)).toEqual(ranked);
    // Whether the party fits at all: the first two free seats side by side answer it.
    asked = 0;
    expect(canSeat(layout, taken, { quantity: 2, together: true })).toBe(true);
    expect(asked).toBe(2);
  });

  it('cannot seat anybody in a full hall', () => {
    const layout = hall('..');
    expect(rankCandidates(layout, new Set(layout.map((s) => s.id)), { quantity: 1, together: false })).toEqual([]);
  });
});
