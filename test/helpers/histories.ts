import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1, saves a finished (or settled) workflow's history as a replay fixture.
 * Re-record after an intended change to the workflow; replay.test.ts replays every fixture.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  // protobufjs's own JSON form (enums and 64-bit ints as strings, bytes in base64); loadHistory reads it back.
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history, null, 2) + '\n');
}

export function loadHistory(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
}
