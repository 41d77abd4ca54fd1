import path from 'node:path';
import { withDatabase } from '../../scripts/postgres';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/http';
import { freePort } from '../../scripts/lib/ports';
import { startPostgresProcess, type PostgresProcess } from '../helpers/postgresProcess';
import { migrateIsolated } from '../helpers/security';
import { activeSeatIds, chargeCount, doubleBookedSeats, eventually, holdSeats, waitForStatus } from '../helpers/reservations';
import { useTestStack } from '../helpers/stack';

/**
 * Postgres goes away for a while under a running system, on a cluster of this test's own (the
 * run's shared database is left alone): the API answers 503 with Retry-After and changes
 * nothing; the worker's activities keep failing and retrying with backoff; once Postgres is back
 * the hold whose timer fired meanwhile is released, the confirm that was in flight completes,
 * and a confirm that was refused with 503 succeeds when retried. Nothing is lost, no seat is
 * sold twice, nothing is charged twice.
 */

const SHORT_TTL_SECONDS = 8;
/** Answers of the API while Postgres is down must come within this. */
const BOUNDED_MS = 10_000;

describe('Postgres unreachable for a while, then back', () => {
  let dataDir: string;
  let port: number;
  let postgres: PostgresProcess | undefined;
  /** True between the test's stop and its restart, so afterAll can bring Postgres back to close cleanly. */
  let stoppedByTest = false;
  let databaseUrl: string;
  let longApi: ApiClient;
  let longServer: { baseUrl: string; close(): Promise<void> } | undefined;

  const startPostgres = () => startPostgresProcess(dataDir, port);

  // The hooks run in this order. The first teardown runs before the stack closes: Postgres must be up for that.
  afterAll(async () => {
    await longServer?.close();
    if (stoppedByTest) postgres = await startPostgres().catch(() => undefined);
  }, 60_000);
  beforeAll(async () => {
    dataDir = path.join(process.env.TEST_TMP_DIR ?? '/tmp', `pg-outage-${process.pid}-${Date.now()}`);
    port = await freePort();
    postgres = await startPostgres();
    databaseUrl = withDatabase(postgres.serverUrl, 'booking_outage');
    await migrateIsolated(databaseUrl);
  }, 120_000);
  // No fake webhook sender: it would poll the stopped database; nothing here pays asynchronously.
  const { stack, api } = useTestStack(() => ({ env: { DATABASE_URL: databaseUrl, HOLD_TTL_SECONDS: String(SHORT_TTL_SECONDS) }, webhooks: false }), 120_000);
  beforeAll(async () => {
    // knex prints every failed connection attempt with console.log; here they are expected, by the hundred.
    (stack.knex.client as { logger: { warn: (message: string) => void } }).logger.warn = () => undefined;
    longServer = await stack.startExtraApi({ holdTtlSeconds: 3600 });
    longApi = apiClient(longServer.baseUrl);
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  }, 60_000);

  async function timed(request: () => Promise<ApiResponse>) {
    const started = Date.now();
    const res = await request();
    return { res, ms: Date.now() - started };
  }

  /**
   * The attempt on which each run of an activity succeeded, from the workflow's history: a local
   * activity's marker records it, an ordinary activity's started event does.
   */
  async function successfulAttempts(workflowId: string, activityType: string): Promise<number[]> {
    const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = new Map<string, string>();
    const attempts: number[] = [];
    for (const e of events) {
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName === 'core_local_activity') {
        const data = JSON.parse(Buffer.from(marker.details?.data?.payloads?.[0]?.data ?? []).toString()) as { activity_type: string; attempt: number };
        if (data.activity_type === activityType) attempts.push(data.attempt);
      }
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
      const started = e.activityTaskStartedEventAttributes;
      if (started && scheduled.get(String(started.scheduledEventId)) === activityType) attempts.push(started.attempt ?? 0);
    }
    return attempts;
  }

  it('answers 503 meanwhile; activities retry with backoff; afterwards the hold expires and both confirms complete', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const [sExpire, sRetry, sInFlight, sRefused] = show.seats.map((s) => s.id);
    const token = user.token;
    const hold = (client: ApiClient, seat: number) => holdSeats(client, token, show.id, [seat]);

    const expiring = await hold(api, sExpire);
    const retried = await hold(longApi, sRetry);
    const inFlight = await hold(longApi, sInFlight);

    // A confirm caught mid-flight: the charge is done and recorded, confirmBooking waits on a row lock.
    const blocker = await stack.knex.transaction();
    blocker.executionPromise.catch(() => undefined);
    await blocker('reservations').where({ id: inFlight.id }).forNoKeyUpdate().first('id');
    const inFlightConfirm = longApi.post(`/reservations/${inFlight.id}/confirm`, { payment_method: 'pm_card_visa' }, { token });
    await eventually(async () => {
      const { rows } = await stack.knex.raw(
        `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE 'update "reservations"%' AND query ILIKE '%"confirmed_at"%'`,
      );
      return rows.length > 0;
    });

    await postgres!.stop();
    stoppedByTest = true;
    await blocker.rollback().catch(() => undefined);

    // The API, while Postgres is down: reads and writes alike are a quick 503 with Retry-After.
    const answers = await Promise.all([
      timed(() => api.get('/movies')),
      timed(() => api.get(`/showtimes/${show.id}/seats`)),
      timed(() => api.get(`/reservations/${retried.id}`, { token })),
      timed(() => api.get('/reservations', { token })),
      timed(() => api.post('/auth/login', { email: user.email, password: 'whatever-it-is' })),
      timed(() => api.post('/reservations', { showtime_id: show.id, seat_ids: [sRefused] }, { token })),
      timed(() => longApi.post(`/reservations/${retried.id}/confirm`, { payment_method: 'pm_card_visa' }, { token })),
    ]);
    for (const { res, ms } of answers) {
      expect({ status: res.status, body: res.body, ms: ms < BOUNDED_MS }).toEqual({
        status: 503,
        body: { detail: expect.any(String), code: 'SERVICE_UNAVAILABLE' },
        ms: true,
      });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const health = await timed(() => api.get('/healthz'));
    expect(health.res.status).toBe(503);
    expect(health.res.body).toEqual({ status: 'degraded', database: 'unavailable', temporal: 'ok' });
    expect(health.ms).toBeLessThan(10_000);

    // The short hold's timer fires while Postgres is down; its release, like the in-flight
    // confirmBooking, fails and is retried with backoff (200 ms doubling): a few seconds past the
    // deadline it has failed several times. The history shows the attempts afterwards.
    const waitUntil = Date.parse(expiring.expires_at) + 4000;
    if (Date.now() < waitUntil) await new Promise((r) => setTimeout(r, waitUntil - Date.now()));
    expect((await stack.client.workflow.getHandle(expiring.workflow_id).describe()).status.name).toBe('RUNNING');

    postgres = await startPostgres();
    stoppedByTest = false;

    // The confirm that was in flight had reached its workflow (the charge made, the booking step
    // retrying), so its answer is never a 503 ("nothing changed"): its result (200), or 202 when
    // the result came too late to wait for.
    const inFlightAnswer = await inFlightConfirm;
    expect([200, 202]).toContain(inFlightAnswer.status);
    await waitForStatus(api, token, inFlight.id, 'confirmed', 30_000);
    await waitForStatus(api, token, expiring.id, 'expired', 30_000);
    // Each step succeeded once, and only after Postgres was back: the release was due, and the
    // confirm's query was cut off, while it was down (checked above), so both were retried. The
    // attempt number in a local activity's marker is not a count of them: it restarts at 1 when a
    // slow machine times out the workflow task that was running the retries.
    // The status is visible as soon as the step's transaction commits; its marker joins the history
    // when the workflow task completes, a moment later on a loaded machine.
    const [confirmAttempts, releaseAttempts] = await Promise.all([
      eventually(async () => { const a = await successfulAttempts(inFlight.workflow_id, 'confirmBooking'); return a.length > 0 && a; }, 30_000),
      eventually(async () => { const a = await successfulAttempts(expiring.workflow_id, 'releaseSeats'); return a.length > 0 && a; }, 30_000),
    ]);
    expect(confirmAttempts).toHaveLength(1);
    expect(releaseAttempts).toHaveLength(1);

    // The confirm that was refused with 503 works when retried.
    const confirmed = await eventually(async () => {
      const res = await longApi.post(`/reservations/${retried.id}/confirm`, { payment_method: 'pm_card_visa' }, { token });
      return res.status === 503 ? undefined : res;
    }, 20_000, 250);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');

    expect((await api.get('/healthz')).status).toBe(200);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([sRetry, sInFlight].sort((a, b) => a - b));
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 3 }]);
    expect(await chargeCount(stack.knex, expiring.id)).toBe(0);
    expect(await chargeCount(stack.knex, retried.id)).toBe(1);
    expect(await chargeCount(stack.knex, inFlight.id)).toBe(1);
    expect(await stack.knex('payments').whereIn('reservation_id', [retried.id, inFlight.id]).count({ c: '*' })).toEqual([{ c: 2 }]);
  }, 180_000);
});
