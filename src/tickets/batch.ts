import type { Knex } from 'knex';
import { checkIn, type CheckinRules, type Scan } from './checkIn';
import type { CheckinAnswer } from './results';

export interface BatchScanResult extends CheckinAnswer {
  nonce: string;
  replayed: boolean;
}

/** A ticket admitted more than once while scanners were offline, or an admission moved to an earlier scan. */
export interface BatchConflict {
  ticket_id: string;
  nonce: string;
  /** This scan's time and gate. */
  scanned_at: string;
  gate: string | null;
  /** The admission that stands (the earliest scan). */
  admitted_at: string;
  admitted_gate: string | null;
  kind: 'already_used' | 'displaced_later_admission';
}

/**
 * Offline scans uploaded later, reconciled first-scan-wins: they are applied in the order they
 * were scanned (the upload's order breaks ties), each as its own check-in, so what was admitted
 * stays admitted if a later scan fails. Every scan that lost to another, and every admission an
 * earlier offline scan took over, is reported as a conflict for the door staff to look into.
 */
export async function reconcileBatch(knex: Knex, rules: CheckinRules, scans: Scan[]): Promise<{ results: BatchScanResult[]; conflicts: BatchConflict[] }> {
  const order = scans.map((scan, index) => ({ scan, index })).sort((a, b) => a.scan.scannedAt.getTime() - b.scan.scannedAt.getTime() || a.index - b.index);
  const results: BatchScanResult[] = new Array(scans.length);
  const conflicts: BatchConflict[] = [];
  for (const { scan, index } of order) {
    const { answer, replayed } = await checkIn(knex, rules, scan);
    results[index] = { ...answer, nonce: scan.nonce, replayed };
    if (!answer.ticket_id) continue;
    const own = { ticket_id: answer.ticket_id, nonce: scan.nonce, scanned_at: answer.scanned_at, gate: scan.gate ?? null };
    if (answer.result === 'already_used' && answer.checked_in_at) {
      conflicts.push({ ...own, admitted_at: answer.checked_in_at, admitted_gate: answer.checked_in_gate, kind: 'already_used' });
    } else if (answer.result === 'ok' && answer.displaced && answer.checked_in_at) {
      conflicts.push({ ...own, admitted_at: answer.checked_in_at, admitted_gate: answer.checked_in_gate, kind: 'displaced_later_admission' });
    }
  }
  return { results, conflicts };
}
