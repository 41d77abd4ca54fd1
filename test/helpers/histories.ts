import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

const { temporal } = proto;

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

export function loadHistory(file: string): proto.temporal.api.history.v1.History {
  return parseHistory(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
}

/**
 * A history in either JSON form: protobufjs's (what recordHistory writes: times as
 * `{seconds, nanos}`) or proto3 JSON (what `temporal workflow show -o json` and the Web UI's
 * download give: times as RFC 3339 strings), so an operator can drop either into the fixtures.
 */
export function parseHistory(json: unknown): proto.temporal.api.history.v1.History {
  const first = (json as { events?: { eventTime?: unknown }[] } | null)?.events?.[0];
  if (typeof first?.eventTime === 'string') return temporal.api.history.v1.History.fromObject(fromProto3Json(json));
  return temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
}

/**
 * Proto3 JSON -> History. This is what `historyFromJSON` of @temporalio/common does, but that
 * one fails in this install ("type must be a Type"): npm put separate copies of protobufjs under
 * @temporalio/common and @temporalio/proto, and its instanceof check sees the other copy's Type.
 * Here the protojson reader comes from the copy that built the proto root.
 */
interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto as unknown as Record<string, unknown>) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);
/** Older Web UI downloads name enum values in PascalCase (`WorkflowExecutionStarted`). */
const ENUM_PREFIXES: Record<string, string> = {
  eventType: 'EVENT_TYPE',
  kind: 'TASK_QUEUE_KIND',
  retryState: 'RETRY_STATE',
  parentClosePolicy: 'PARENT_CLOSE_POLICY',
  workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY',
  initiator: 'CONTINUE_AS_NEW_INITIATOR',
};
function fixEnums(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fixEnums);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      const prefix = ENUM_PREFIXES[key];
      if (prefix && typeof v === 'string' && !v.startsWith(prefix)) return [key, `${prefix}_${v.replace(/(?!^)([A-Z])/g, '_$1').toUpperCase()}`];
      return [key, fixEnums(v)];
    }),
  );
}
function fromProto3Json(json: unknown): proto.temporal.api.history.v1.IHistory {
  const history = protojson.fromJson(historyType, fixEnums(json), { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a workflow history');
  return history as proto.temporal.api.history.v1.IHistory;
}
