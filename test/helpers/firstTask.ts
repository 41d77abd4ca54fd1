import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { eventually } from './reservations';

type History = temporal.api.history.v1.IHistory;

/**
 * What a reservation's history ran before anything acted on it (its first message, cancellation
 * request or timer): each activity by name, each local activity as `local activity <type>`. On the hold
 * path (patch hold-facts-from-input) that is nothing: its first workflow task costs what a no-op's does.
 */
export function workBeforeFirstMessage(history: History): string[] {
  const work: string[] = [];
  for (const e of history.events ?? []) {
    if (
      e.workflowExecutionUpdateAcceptedEventAttributes ||
      e.workflowExecutionSignaledEventAttributes ||
      e.workflowExecutionCancelRequestedEventAttributes ||
      e.timerFiredEventAttributes
    ) {
      break;
    }
    if (e.activityTaskScheduledEventAttributes) work.push(`activity ${e.activityTaskScheduledEventAttributes.activityType?.name}`);
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') work.push(`local activity ${localActivities({ events: [e] })[0]}`);
  }
  return work;
}

/** The local activities a history recorded, by type, in order (one marker each, its `data` naming the type). */
export function localActivities(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : ['?'];
  });
}

/** The history once the workflow's first workflow task has completed. */
export const afterFirstTask = (handle: WorkflowHandle): Promise<History> =>
  eventually(async () => {
    const history = await handle.fetchHistory();
    return (history.events ?? []).some((e) => e.workflowTaskCompletedEventAttributes) && history;
  }, 10_000);
