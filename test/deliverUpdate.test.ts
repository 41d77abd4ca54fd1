import { randomUUID } from 'node:crypto';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, WorkflowUpdateFailedError, type ConnectionOptions } from '@temporalio/client';
import { deliverUpdate } from '../src/reservations/deliverUpdate';
import { isClosedWorkflowError } from '../src/reservations/workflowErrors';
import { cancelUpdate, confirmUpdate } from '../workflows/shared';
import { afterFirstTask } from './helpers/firstTask';
import { startWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

/**
 * deliverUpdate on the real dev server (the reservation workflow with stub activities): one gRPC
 * call in the common case, and the guarantees of the two-step loop kept when that call does not
 * answer: the same Update id, 'accepted' vs 'unknown' at the deadline, a closed workflow.
 */
type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

const HOUR = 60 * 60_000;
let h: WorkflowHarness;
let connection: Connection;
let client: Client;
/** The workflow service's methods this client called, in order. */
let calls: string[] = [];

beforeAll(async () => {
  h = await startWorkflowHarness();
  const counting: Interceptor = (options, nextCall) => {
    calls.push(options.method_definition.path.split('/').pop() ?? '?');
    // grpc-js's own type for what nextCall returns, which it accepts back (not importable here).
    return nextCall(options) as ReturnType<Interceptor>;
  };
  connection = await Connection.connect({
    address: process.env.TEST_TEMPORAL_ADDRESS as string,
    interceptors: [counting, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await h?.close();
});

const confirmArgs: [{ payment_method: string }] = [{ payment_method: 'pm_card_visa' }];
const inSeconds = (s: number) => Date.now() + s * 1000;

describe('deliverUpdate', () => {
  it('delivers a confirm in one call that waits for its result; a retry under the same id gets the same result, again in one', async () => {
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(handle);
    const updateId = `confirm-${randomUUID()}`;
    calls = [];
    const first = await deliverUpdate(client, handle.workflowId, confirmUpdate, confirmArgs, updateId, inSeconds(30));
    expect(first).toMatchObject({ kind: 'completed', result: { status: 'confirmed' } });
    expect(calls).toEqual(['UpdateWorkflowExecution']);

    calls = [];
    const again = await deliverUpdate(client, handle.workflowId, confirmUpdate, confirmArgs, updateId, inSeconds(30));
    expect(again).toEqual(first);
    expect(calls).toEqual(['UpdateWorkflowExecution']);
  });

  it('delivers an Update that completes in a later workflow task than it was accepted in, in one call too', async () => {
    // A booking's cancel refunds in an ordinary activity: accepted in one task, answered in another.
    // (Waiting only for acceptance, then polling for the result, took two calls here; a confirm,
    // accepted and answered in one task, got its outcome with the acceptance either way.)
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(handle);
    await handle.executeUpdate(confirmUpdate, { args: confirmArgs });
    calls = [];
    const cancelled = await deliverUpdate(client, handle.workflowId, cancelUpdate, [{}], `cancel-${randomUUID()}`, inSeconds(30));
    expect(cancelled).toMatchObject({ kind: 'completed', result: { status: 'cancelled', refund_amount: '21.00' } });
    expect(calls).toEqual(['UpdateWorkflowExecution']);
  });

  it("throws the workflow's refusal, and a closed workflow's error when it never took the Update", async () => {
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR });
    await afterFirstTask(handle);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
    // Still open a moment (cancelled, ending): refused as a cancelled reservation, or closed.
    const refused = await deliverUpdate(client, handle.workflowId, confirmUpdate, confirmArgs, `confirm-${randomUUID()}`, inSeconds(30)).catch((e: unknown) => e);
    expect(refused instanceof WorkflowUpdateFailedError || isClosedWorkflowError(refused)).toBe(true);
    await handle.result();
    const closed = await deliverUpdate(client, handle.workflowId, confirmUpdate, confirmArgs, `confirm-${randomUUID()}`, inSeconds(30)).catch((e: unknown) => e);
    expect(isClosedWorkflowError(closed)).toBe(true);
  });

  it("answers 'unknown' when the Update was not accepted by the deadline; it runs later, once", async () => {
    // The row check (a local activity, before the Update is accepted) takes longer than the deadline allows.
    const { id, handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, findMs: 12_000 });
    await afterFirstTask(handle);
    const updateId = `confirm-${randomUUID()}`;
    expect(await deliverUpdate(client, handle.workflowId, confirmUpdate, confirmArgs, updateId, inSeconds(4))).toEqual({ kind: 'unknown' });
    const later = await deliverUpdate(client, handle.workflowId, confirmUpdate, confirmArgs, updateId, inSeconds(30));
    expect(later).toMatchObject({ kind: 'completed', result: { status: 'confirmed' } });
    expect(h.stubs.names(id).filter((n) => n === 'chargePayment')).toHaveLength(1);
    await handle.executeUpdate(cancelUpdate, { args: [{}] });
  });

  it("answers 'accepted' when the Update was accepted but its result is late", async () => {
    // A cancel whose release runs long: the worker completes the workflow task (accepting the
    // Update) at 80% of the 2 s task timeout while the release, a local activity, goes on.
    const { handle } = await h.start({ holdMs: 60_000, showInMs: 3 * HOUR, releaseMs: 12_000, workflowTaskTimeout: '2s' });
    await afterFirstTask(handle);
    expect(await deliverUpdate(client, handle.workflowId, cancelUpdate, [{}], `cancel-${randomUUID()}`, inSeconds(6))).toEqual({ kind: 'accepted' });
    await expect(handle.result()).resolves.toBe('cancelled');
  });
});
