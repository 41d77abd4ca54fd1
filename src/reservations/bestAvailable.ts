import type { SeatType } from '../db/models/Seat';

/** One seat of an auditorium as the chooser sees it. */
export interface LayoutSeat {
  id: number;
  row: string;
  number: number;
  seat_type: SeatType;
  /** Out of service or deleted: never offered, and it breaks adjacency like an aisle. */
  usable: boolean;
}

/** Where the best view is: a row index (0 = first row, fractions allowed) and a seat number. */
export interface FocalPoint {
  rowIndex: number;
  number: number;
}

export interface BestAvailableRequest {
  quantity: number;
  /** Only this type; unset: any type but wheelchair spaces, which go only to those who ask for them. */
  seatType?: SeatType;
  /** False: scattered seats are acceptable when no block fits. */
  together: boolean;
  /** Unset: the centre of the middle rows. */
  focal?: FocalPoint;
}

/** How far the choice had to relax from the ideal. */
export type ChoiceTier = 'no_gap' | 'gap' | 'scattered';

export interface SeatChoice {
  seatIds: number[];
  tier: ChoiceTier;
}

// One collator: localeCompare with options builds a new one on every call.
const collator = new Intl.Collator('en', { numeric: true });
/** Rows sort as people read them: A..Z before AA, and numbered rows numerically. */
const rowOrder = (a: string, b: string) => a.length - b.length || collator.compare(a, b);

/** A free stretch of adjacent seats in one row, bounded by a taken seat, an aisle or the row's end. */
interface Run {
  rowIndex: number;
  seats: LayoutSeat[];
}

function eligible(seat: LayoutSeat, seatType: SeatType | undefined): boolean {
  return seat.usable && (seatType ? seat.seat_type === seatType : seat.seat_type !== 'wheelchair');
}

/** The default focal point: the centre of the middle rows (each row centred on its own seats). */
export function defaultFocal(layout: readonly LayoutSeat[]): FocalPoint {
  const rows = [...new Set(layout.map((s) => s.row))].sort(rowOrder);
  const numbers = layout.map((s) => s.number);
  return { rowIndex: (rows.length - 1) / 2, number: (Math.min(...numbers) + Math.max(...numbers)) / 2 };
}

/** An auditorium's own focal point as stored: a row label and a seat number (a half between two seats). */
export interface StoredFocalPoint {
  row: string;
  seat: number;
}

/**
 * The focal point the chooser uses: the auditorium's own when it has one, placed on this layout's
 * rows; otherwise (or should its row be gone) the centre of the middle rows.
 */
export function focalOf(layout: readonly LayoutSeat[], stored: StoredFocalPoint | null | undefined): FocalPoint {
  if (!stored) return defaultFocal(layout);
  const rowIndex = [...new Set(layout.map((s) => s.row))].sort(rowOrder).indexOf(stored.row);
  return rowIndex < 0 ? defaultFocal(layout) : { rowIndex, number: stored.seat };
}

/** A layout's rows in order, each row's seats by number: the same for every request, so made once per layout. */
interface Rows {
  labels: string[];
  seats: LayoutSeat[][];
}
const rowsOfLayout = new WeakMap<readonly LayoutSeat[], Rows>();

function rowsOf(layout: readonly LayoutSeat[]): Rows {
  let rows = rowsOfLayout.get(layout);
  if (rows) return rows;
  const byRow = new Map<string, LayoutSeat[]>();
  for (const seat of layout) {
    const row = byRow.get(seat.row);
    if (row) row.push(seat);
    else byRow.set(seat.row, [seat]);
  }
  const labels = [...byRow.keys()].sort(rowOrder);
  rows = { labels, seats: labels.map((label) => (byRow.get(label) ?? []).sort((a, b) => a.number - b.number)) };
  // Layouts are cached and shared read-only (seatLayout.ts), so this stays true for the array's life.
  rowsOfLayout.set(layout, rows);
  return rows;
}

/** The seats counted as taken: a set, or a view over several (only `has` is asked). */
export type TakenSeats = Pick<ReadonlySet<number>, 'has'>;

/** One row's free runs, in seat order, appended to `into`. */
function rowRuns(seats: readonly LayoutSeat[], rowIndex: number, taken: TakenSeats, seatType: SeatType | undefined, into: Run[]): void {
  let current: LayoutSeat[] = [];
  let previous: number | undefined;
  for (const seat of seats) {
    const free = eligible(seat, seatType) && !taken.has(seat.id);
    // A missing seat number is a gap in the floor (an aisle): seats across it are not together.
    if (!free || (previous !== undefined && seat.number !== previous + 1)) {
      if (current.length) into.push({ rowIndex, seats: current });
      current = [];
    }
    if (free) current.push(seat);
    previous = seat.number;
  }
  if (current.length) into.push({ rowIndex, seats: current });
}

function freeRuns(layout: readonly LayoutSeat[], taken: TakenSeats, seatType: SeatType | undefined): { runs: Run[]; rows: string[] } {
  const { labels, seats: seatsByRow } = rowsOf(layout);
  const runs: Run[] = [];
  seatsByRow.forEach((seats, rowIndex) => rowRuns(seats, rowIndex, taken, seatType, runs));
  return { runs, rows: labels };
}

// A row away costs more than a seat sideways: people prefer the best row slightly off-centre.
const ROW_WEIGHT = 1.5;

function distance(focal: FocalPoint, rowIndex: number, seats: readonly LayoutSeat[]): number {
  const centre = (seats[0].number + seats[seats.length - 1].number) / 2;
  return Math.hypot((rowIndex - focal.rowIndex) * ROW_WEIGHT, centre - focal.number);
}

/**
 * Most parties are couples: a stretch of 3 or 5 left beside a block ends as a single seat nobody
 * buys. A block one seat off-centre that leaves even stretches is worth more than the centre.
 */
const ODD_REMAINDER_COST = 1;

/** `quantity` adjacent seats of a run, from `start`. */
interface Block {
  run: Run;
  start: number;
  distance: number;
}

const byPreference = (a: Block, b: Block) =>
  a.distance - b.distance || a.run.rowIndex - b.run.rowIndex || a.run.seats[a.start].number - b.run.seats[b.start].number;

/**
 * Every way to seat the party, best first: adjacent seats in one row that leave no single-seat
 * gap, closest to the focal point (a stretch of odd length left beside the block counts as one
 * seat further away); then adjacent seats that do leave one; then, only when the
 * party need not sit together, the free seats closest to the focal point. Pure: the hold calls
 * it inside its transaction with the committed and in-flight seats as `taken`, and tries the
 * candidates in this order until one locks. `limit` caps how many are returned: the hold tries
 * a few, so only the best `limit` blocks are kept, and rows are read outward from the focal point
 * only until no further row could place among them.
 */
export function rankCandidates(layout: readonly LayoutSeat[], taken: TakenSeats, req: BestAvailableRequest, limit = Infinity): SeatChoice[] {
  if (layout.length === 0 || req.quantity < 1 || limit < 1) return [];
  const focal = req.focal ?? defaultFocal(layout);
  const { seats: seatsByRow } = rowsOf(layout);
  const noGap = new BestBlocks(limit);
  const gap = new BestBlocks(limit);
  const q = req.quantity;
  const runs: Run[] = [];
  let scannedAll = true;
  for (const rowIndex of rowsNearestFirst(seatsByRow.length, focal)) {
    // Every block of this row, and of the rows after it, is at least this far from the focal point:
    // once the best blocks that leave no gap are all nearer, nothing further can be among them (and
    // with that tier full, the others are never offered). Early in a sale only the middle rows are read.
    const worst = noGap.worst();
    if (worst && Math.abs(rowIndex - focal.rowIndex) * ROW_WEIGHT > worst.distance) {
      scannedAll = false;
      break;
    }
    const first = runs.length;
    rowRuns(seatsByRow[rowIndex], rowIndex, taken, req.seatType, runs);
    for (let r = first; r < runs.length; r++) {
      const run = runs[r];
      const n = run.seats.length;
      for (let start = 0; start + q <= n; start++) {
        const left = start;
        const right = n - start - q;
        const oddRemainders = (left % 2) + (right % 2);
        const centre = (run.seats[start].number + run.seats[start + q - 1].number) / 2;
        const distance = Math.hypot((run.rowIndex - focal.rowIndex) * ROW_WEIGHT, centre - focal.number) + oddRemainders * ODD_REMAINDER_COST;
        // A block that leaves a single seat beside it ranks after every block that does not.
        (left === 1 || right === 1 ? gap : noGap).offer({ run, start, distance });
      }
    }
  }
  const choices: SeatChoice[] = [];
  const take = (blocks: Block[], tier: ChoiceTier) => {
    for (const b of blocks.slice(0, limit - choices.length)) choices.push({ seatIds: b.run.seats.slice(b.start, b.start + q).map((s) => s.id), tier });
  };
  take(noGap.sorted(), 'no_gap');
  take(gap.sorted(), 'gap');
  // Only reached with every row read: a scan that stopped early had filled `limit` already.
  if (!req.together && choices.length < limit && scannedAll) {
    const free = runs
      .flatMap((run) => run.seats.map((seat) => ({ seat, rowIndex: run.rowIndex, distance: distance(focal, run.rowIndex, [seat]) })))
      .sort((a, b) => a.distance - b.distance || a.rowIndex - b.rowIndex || a.seat.number - b.seat.number);
    if (free.length >= req.quantity) choices.push({ seatIds: free.slice(0, req.quantity).map((f) => f.seat.id), tier: 'scattered' });
  }
  return choices;
}

/** Row indexes by their distance from the focal row, nearest first (the front one of two alike). */
function rowsNearestFirst(rows: number, focal: FocalPoint): number[] {
  return Array.from({ length: rows }, (_, i) => i).sort((a, b) => Math.abs(a - focal.rowIndex) - Math.abs(b - focal.rowIndex) || a - b);
}

/**
 * The best `limit` blocks offered, in preference order, kept as they come: a hold asks for a few
 * candidates, and sorting every block of the house for them cost more than the choice itself
 * (measured: about 1 ms of API CPU per hold on 2,000 seats). Without a limit, all of them, sorted.
 */
class BestBlocks {
  private readonly blocks: Block[] = [];

  constructor(private readonly limit: number) {}

  offer(block: Block): void {
    const { blocks, limit } = this;
    if (limit === Infinity) {
      blocks.push(block);
      return;
    }
    if (blocks.length === limit && byPreference(block, blocks[limit - 1]) >= 0) return;
    let i = blocks.length;
    while (i > 0 && byPreference(block, blocks[i - 1]) < 0) i--;
    blocks.splice(i, 0, block);
    if (blocks.length > limit) blocks.pop();
  }

  /** The last of the best `limit`, once there are that many; undefined before (or without a limit). */
  worst(): Block | undefined {
    return this.limit !== Infinity && this.blocks.length === this.limit ? this.blocks[this.limit - 1] : undefined;
  }

  sorted(): Block[] {
    return this.limit === Infinity ? this.blocks.sort(byPreference) : this.blocks;
  }
}

/**
 * Whether the party can be seated at all: rankCandidates(...).length > 0 without ranking (the
 * cheap refusal path asks this of every request in a rush).
 */
export function canSeat(layout: readonly LayoutSeat[], taken: TakenSeats, req: Omit<BestAvailableRequest, 'focal'>): boolean {
  if (layout.length === 0 || req.quantity < 1) return false;
  // Stops at the first run long enough (or, apart, once enough seats are free): early in a sale
  // that is the first row, and the cheap refusal path asks this of every request in a rush.
  let free = 0;
  for (const seats of rowsOf(layout).seats) {
    let run = 0;
    let previous: number | undefined;
    for (const seat of seats) {
      if (previous !== undefined && seat.number !== previous + 1) run = 0;
      previous = seat.number;
      if (!eligible(seat, req.seatType) || taken.has(seat.id)) {
        run = 0;
        continue;
      }
      run += 1;
      free += 1;
      if (run >= req.quantity || (!req.together && free >= req.quantity)) return true;
    }
  }
  return false;
}

/** The best way to seat the party, or undefined when it cannot be seated. */
export function chooseSeats(layout: readonly LayoutSeat[], taken: TakenSeats, req: BestAvailableRequest): SeatChoice | undefined {
  return rankCandidates(layout, taken, req, 1)[0];
}

/** Free seats with no free neighbour in their row: seats a party of two or more can never use. */
export function orphanSingles(layout: readonly LayoutSeat[], taken: ReadonlySet<number>): number {
  return freeRuns(layout, taken, undefined).runs.filter((r) => r.seats.length === 1).length;
}
