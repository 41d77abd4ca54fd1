import { idempotentReservationId } from '../../src/reservations/idempotency';
import { reservationWorkflowId, stateQuery } from '../../workflows/shared';
import { startApiProcess, type ApiProcess } from '../helpers/apiProcess';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient } from '../helpers/http';
import { activeSeatIds, doubleBookedSeats, eventually } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';

/**
 * The API process (src/server.ts, a real child process) is SIGKILLed while POST /reservations
 * requests with Idempotency-Keys are in flight, some of them between starting their workflow and
 * committing their hold. A new API process gets the same requests again. Afterwards: every key
 * maps to exactly one reservation (the id derived from user + key), no seat has two active
 * reservation_seats rows, and every workflow run either owns a held reservation or ended
 * 'abandoned' (the run whose transaction the crash rolled back).
 */

type Showtime = Awaited<ReturnType<typeof createShowtime>>;
type User = Awaited<ReturnType<typeof createUser>>;

describe('the API killed between starting a workflow and answering', () => {
  let proxy: TcpProxy;
  const apis: ApiProcess[] = [];

  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    for (const api of apis) await api.kill();
    await proxy?.close();
  }, 60_000);
  const { stack } = useTestStack({}, 60_000);
  beforeAll(async () => {
    proxy = await startTcpProxy(stack.config.temporal.address);
  }, 60_000);

  async function startApi(temporalAddress = stack.config.temporal.address): Promise<ApiProcess> {
    const api = await startApiProcess({ ...stack.config, temporal: { ...stack.config.temporal, address: temporalAddress } });
    apis.push(api);
    return api;
  }

  const holdRequest = (show: Showtime, i: number) => ({ showtime_id: show.id, seat_ids: [show.seats[i].id] });
  const keyOf = (show: Showtime, i: number) => `crash-${show.id}-${i}`;

  /** Fires one POST per key at once; requests cut off by the kill resolve to null. */
  function fire(api: ApiProcess, user: User, show: Showtime, count: number) {
    const client = apiClient(api.baseUrl);
    return Array.from({ length: count }, (_, i) =>
      client.post('/reservations', holdRequest(show, i), { token: user.token, headers: { 'idempotency-key': keyOf(show, i) } }).catch(() => null),
    );
  }

  /** Every run of every workflow of the showtime, as visibility lists them. */
  async function runsOf(showId: number) {
    const runs: { workflowId: string; runId: string; status: string }[] = [];
    const query = `TaskQueue = "${stack.config.temporal.taskQueue}" AND ShowtimeId = ${showId}`;
    for await (const w of stack.client.workflow.list({ query })) runs.push({ workflowId: w.workflowId, runId: w.runId, status: w.status.name });
    return runs;
  }

  /** Retries every key on a fresh API and checks everything the crash could have broken. */
  async function retryAndCheck(api: ApiProcess, user: User, show: Showtime, count: number, answeredBeforeCrash: Map<number, string>) {
    const client = apiClient(api.baseUrl);
    const retries = await Promise.all(
      Array.from({ length: count }, (_, i) => client.post('/reservations', holdRequest(show, i), { token: user.token, headers: { 'idempotency-key': keyOf(show, i) } })),
    );
    const expected = Array.from({ length: count }, (_, i) => idempotentReservationId(user.id, keyOf(show, i)));
    expect(retries.map((r) => r.status)).toEqual(expected.map(() => 201));
    expect(retries.map((r) => r.body.id)).toEqual(expected);
    // A request that was answered before the crash is replayed, with the very same reservation.
    for (const [i, id] of answeredBeforeCrash) {
      expect(retries[i].body.id).toBe(id);
      expect(retries[i].headers.get('idempotent-replayed')).toBe('true');
    }

    // Each key has exactly one reservation, held, with its own seat; no seat is held twice.
    const rows: { id: string; idempotency_key: string; status: string }[] = await stack.knex('reservations')
      .where({ showtime_id: show.id })
      .select('id', 'idempotency_key', 'status');
    expect(rows.map((r) => [r.idempotency_key, r.id, r.status]).sort()).toEqual(expected.map((id, i) => [keyOf(show, i), id, 'held']).sort());
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual(show.seats.slice(0, count).map((s) => s.id));

    // Each reservation's workflow owns its hold; any other run of it is one the crash left behind: abandoned, or replaced by the retry.
    let listed: Awaited<ReturnType<typeof runsOf>> = [];
    const running = await eventually(async () => {
      listed = await runsOf(show.id);
      const live = listed.filter((r) => r.status === 'RUNNING');
      return live.length === count ? listed : undefined;
    }, 20_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}; visibility lists ${JSON.stringify(listed.map((r) => [r.workflowId.slice(-6), r.status]))}`);
    });
    expect(running.filter((r) => r.status === 'RUNNING').map((r) => r.workflowId).sort()).toEqual(expected.map(reservationWorkflowId).sort());
    for (const run of running) {
      const handle = stack.client.workflow.getHandle(run.workflowId, run.runId);
      if (run.status === 'RUNNING') {
        await eventually(async () => (await handle.query(stateQuery)).status === 'held', 15_000, 100);
      } else if (run.status !== 'TERMINATED') {
        // A leftover run either ended abandoned by itself or was replaced (terminated) by its retry's start.
        expect({ run: run.workflowId, status: run.status, result: await handle.result() }).toEqual({ run: run.workflowId, status: 'COMPLETED', result: 'abandoned' });
      }
    }
    return running;
  }

  it('with the workflows started and their answers lost: the crash rolls the holds back, the retries own them', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const count = 6;
    // Temporal's answers to the starts never reach this API process: it is stuck after starting
    // each workflow and before committing its hold, which is where it is killed.
    const crashing = await startApi(proxy.address);
    proxy.holdResponses();
    const inFlight = fire(crashing, user, show, count);
    const expected = Array.from({ length: count }, (_, i) => reservationWorkflowId(idempotentReservationId(user.id, keyOf(show, i))));
    const started = await eventually(async () => {
      const described = await Promise.all(expected.map((id) => stack.client.workflow.getHandle(id).describe().catch(() => null)));
      return described.every((d) => d !== null) ? described : undefined;
    }, 10_000, 50);
    // Started in Temporal, not committed in Postgres.
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 0 }]);
    await crashing.kill();
    proxy.release();
    expect(await Promise.all(inFlight)).toEqual(expected.map(() => null));

    const runs = await retryAndCheck(await startApi(), user, show, count, new Map());
    // The runs the crashed process started are among them, each abandoned or replaced by its retry.
    const crashedRuns = new Set(started.map((d) => d!.runId));
    expect(runs.filter((r) => crashedRuns.has(r.runId))).toHaveLength(count);
  }, 120_000);

  it('killed at arbitrary moments under concurrent load: every key still maps to one reservation', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const count = 16;
    const workflowIds = (show: Showtime) => Array.from({ length: count }, (_, i) => reservationWorkflowId(idempotentReservationId(user.id, keyOf(show, i))));
    // Moments to kill at, whatever this machine's speed: as soon as the first workflow exists (some
    // requests between start and commit), as soon as the first answer arrives (a mixture), and
    // after a fixed delay.
    const killWhen: [string, (show: Showtime, answered: Map<number, string>) => Promise<unknown>][] = [
      ['first workflow started', (show) =>
        eventually(async () => (await Promise.all(workflowIds(show).map((id) => stack.client.workflow.getHandle(id).describe().then(() => true, () => false)))).some(Boolean), 10_000, 10)],
      ['first answer', (_show, answered) => eventually(async () => answered.size > 0, 10_000, 5)],
      ['150 ms', () => new Promise((r) => setTimeout(r, 150))],
    ];
    let api = await startApi();
    for (const [, trigger] of killWhen) {
      const show = await createShowtime(stack.knex);
      const answered = new Map<number, string>();
      const requests = fire(api, user, show, count).map((p, i) =>
        p.then((res) => {
          if (res?.status === 201) answered.set(i, res.body.id);
          return res;
        }),
      );
      await trigger(show, answered);
      await api.kill();
      await Promise.all(requests);
      api = await startApi();
      await retryAndCheck(api, user, show, count, answered);
    }
  }, 180_000);
});
