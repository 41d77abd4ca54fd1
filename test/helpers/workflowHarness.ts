import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { reservationWorkflow } from '../../workflows/reservation';
import { reservationWorkflowId, type ReservationWorkflowInput } from '../../workflows/shared';
import { StubActivities, type StubReservationOptions } from './stubActivities';

export type ReservationHandle = WorkflowHandle<typeof reservationWorkflow>;

export interface WorkflowHarness {
  client: Client;
  stubs: StubActivities;
  /**
   * Adds a held reservation to the stubs and starts its workflow with the hold's facts in its
   * input, as the API does; `factsInInput: false` starts it as workflows started before that
   * were, and `rowMissing` leaves the stubs without the row (a hold whose transaction rolled back).
   */
  start(
    opts: StubReservationOptions &
      Partial<Omit<ReservationWorkflowInput, 'reservationId' | 'hold'>> & {
        workflowTaskTimeout?: WorkflowStartOptions['workflowTaskTimeout'];
        factsInInput?: boolean;
        rowMissing?: boolean;
      },
  ): Promise<{ id: string; handle: ReservationHandle }>;
  close(): Promise<void>;
}

/**
 * The reservation workflow on the run's real Temporal dev server, with stub activities: no
 * Postgres, no HTTP, so every branch runs in a second or two. Its own task queue keeps other
 * test files' workers away.
 */
export async function startWorkflowHarness(): Promise<WorkflowHarness> {
  const address = required('TEST_TEMPORAL_ADDRESS');
  const taskQueue = `workflow-test-${randomUUID()}`;
  const stubs = new StubActivities();
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
    activities: stubs.activities,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });

  return {
    client,
    stubs,
    async start({ cancellationCutoffMinutes = 60, latePaymentWindowMs, workflowTaskTimeout, factsInInput = true, rowMissing = false, ...reservation }) {
      const id = randomUUID();
      const row = stubs.add(id, reservation);
      if (rowMissing) stubs.remove(id);
      const hold = { expiresAt: row.hold_expires_at, showStartsAt: row.show_starts_at, showEndsAt: row.show_ends_at as string, totalPrice: row.total_price };
      const handle = await client.workflow.start<typeof reservationWorkflow>('reservationWorkflow', {
        taskQueue,
        workflowId: reservationWorkflowId(id),
        ...(workflowTaskTimeout === undefined ? {} : { workflowTaskTimeout }),
        args: [
          {
            reservationId: id,
            cancellationCutoffMinutes,
            ...(latePaymentWindowMs === undefined ? {} : { latePaymentWindowMs }),
            ...(factsInInput ? { hold } : {}),
          },
        ],
      });
      return { id, handle };
    },
    async close() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through jest's global setup (npm test)`);
  return v;
}

/** An Update's refusal, as the workflow raised it: its failure type and message. */
export async function refusalOf(p: Promise<unknown>): Promise<{ type: string | null | undefined; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  return { type: cause.type, message: cause.message };
}
