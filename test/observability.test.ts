import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp } from '../src/app';
import { createLogger } from '../src/logger';
import { createShowtime, createUser } from './helpers/factories';
import { apiClient, type ApiClient } from './helpers/http';
import { freePort } from '../scripts/lib/ports';
import { eventually } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { paymentEvent, postWebhook } from './helpers/webhooks';
import { startWorkerProcess, type WorkerProcess } from './helpers/workerProcess';

/** Structured request logs, request ids and Prometheus metrics of the API and the worker. */

type LogLine = Record<string, unknown>;

/** A pino destination that keeps every JSON line. */
function captureLogs() {
  const lines: LogLine[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString('utf8');
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { stream, lines };
}

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [series, value] = line.split(/\s+/);
    const wanted = Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`));
    if (wanted) return Number(value);
  }
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('API request logs and metrics', () => {
  let server: Server;
  let api: ApiClient;
  const logs = captureLogs();
  const requestLines = (requestId: string) => logs.lines.filter((l) => l.msg === 'request' && l.requestId === requestId);

  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const { stack } = useTestStack();
  beforeAll(async () => {
    // An app of its own whose logger writes to the capture stream, in the production format.
    const logger = createLogger({ level: 'info', name: 'api', format: 'json', env: 'test', destination: logs.stream });
    const app = createApp({ config: stack.config, knex: stack.knex, temporal: stack.client, logger });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    api = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  it('keeps a well-formed incoming X-Request-Id and logs one line with it', async () => {
    const res = await api.get('/healthz', { headers: { 'x-request-id': 'trace-abc-123.1' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123.1');
    const lines = requestLines('trace-abc-123.1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual(
      expect.objectContaining({ level: 'info', name: 'api', method: 'GET', path: '/healthz', route: '/healthz', status: 200, durationMs: expect.any(Number) }),
    );
    expect(new Date(String(lines[0].time)).toISOString()).toBe(lines[0].time);
  });

  it('makes an id when none or a malformed one comes in', async () => {
    for (const incoming of [undefined, 'has spaces', 'x'.repeat(129), 'semi;colon', '{"forged":"line"}']) {
      const res = await api.get('/movies', incoming === undefined ? {} : { headers: { 'x-request-id': incoming } });
      const id = res.headers.get('x-request-id') ?? '';
      expect(id).toMatch(UUID);
      expect(requestLines(id)).toHaveLength(1);
    }
  });

  it('logs one line per request, with the route pattern, and the ids of the reservation it acted on', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const showtime = await createShowtime(stack.knex);
    const requestId = `hold-${Date.now()}`;
    const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [showtime.seats[0].id] }, { token: user.token, headers: { 'x-request-id': requestId } });
    expect(hold.status).toBe(201);
    const [line, ...more] = requestLines(requestId);
    expect(more).toEqual([]);
    expect(line).toEqual(
      expect.objectContaining({
        method: 'POST',
        path: '/api/v1/reservations',
        route: '/api/v1/reservations',
        status: 201,
        userId: user.id,
        reservationId: hold.body.id,
        workflowId: `reservation-${hold.body.id}`,
      }),
    );

    const getId = `get-${Date.now()}`;
    await api.get(`/reservations/${hold.body.id}`, { token: user.token, headers: { 'x-request-id': getId } });
    expect(requestLines(getId)).toEqual([expect.objectContaining({ path: `/api/v1/reservations/${hold.body.id}`, route: '/api/v1/reservations/:id', reservationId: hold.body.id })]);
    // The log never carries the token.
    expect(JSON.stringify(logs.lines)).not.toContain(user.token);
  });

  it("binds the request id to the handlers' own log lines (a per-request child logger)", async () => {
    const requestId = `admin-${Date.now()}`;
    const email = `admin-${randomUUID()}@example.test`;
    const signup = await api.post(
      '/auth/admin/signup',
      { name: 'Admin', email, password: 'long enough password', admin_secret: stack.config.adminRegistrationSecret },
      { headers: { 'x-request-id': requestId } },
    );
    expect(signup.status).toBe(201);
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'admin account created', requestId, userId: signup.body.user.id }));

    const webhook = await postWebhook(api, paymentEvent({ id: `evt_${randomUUID()}`, type: 'payment_intent.succeeded', paymentId: `pi_${randomUUID()}`, reservationId: randomUUID() }), stack.config.paymentWebhookSecret);
    expect(webhook.status).toBe(200);
    const webhookRequestId = webhook.headers.get('x-request-id');
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'payment event for an unknown reservation; acknowledged', requestId: webhookRequestId }));
  });

  it('counts requests and latencies by route pattern and status, never by raw path', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    await api.get('/movies/2147483646');
    await api.get('/no-such-path-4711');
    await api.get('/reservations/7b0f4a9e-2f0c-4d5e-9a51-0c6f1d2e3b4a');
    await api.get('/reservations/7b0f4a9e-2f0c-4d5e-9a51-0c6f1d2e3b4a', { token: user.token });
    const res = await api.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = String(res.body);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/api/v1/movies/:id', status: '404' })).toBe(1);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    // A 401 from the router-wide requireAuth still names the route, not the prefix's pattern.
    expect(sample(text, 'http_requests_total', { route: '/api/v1/reservations/:id', status: '401' })).toBe(1);
    expect(sample(text, 'http_requests_total', { route: '/api/v1/reservations/:id', status: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/movies/:id', status: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { route: '/api/v1/movies/:id', le: '+Inf' })).toBe(1);
    for (const raw of ['2147483646', 'no-such-path', '7b0f4a9e']) expect(text).not.toContain(raw);
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('counts reservation outcomes as the API answers them', async () => {
    const before = String((await api.get('/metrics')).body);
    const count = (text: string, outcome: string) => sample(text, 'booking_reservations_total', { outcome }) ?? NaN;
    for (const outcome of ['held', 'rejected', 'confirmed', 'pending_payment', 'declined', 'cancelled']) expect(count(before, outcome)).toBeGreaterThanOrEqual(0);

    const [alice, bob] = await Promise.all([createUser(stack.knex, stack.config.jwtSecret), createUser(stack.knex, stack.config.jwtSecret)]);
    const showtime = await createShowtime(stack.knex);
    const seat = showtime.seats[0].id;
    const key = `k-${Date.now()}`;
    const first = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [seat] }, { token: alice.token, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    // A replay of the same request holds nothing new, and is not counted again.
    const replay = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [seat] }, { token: alice.token, headers: { 'idempotency-key': key } });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const taken = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [seat] }, { token: bob.token });
    expect(taken.status).toBe(409);
    const declined = await api.post(`/reservations/${first.body.id}/confirm`, { payment_method: 'pm_card_declined' }, { token: alice.token });
    expect(declined.status).toBe(402);
    expect((await api.post(`/reservations/${first.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: alice.token })).status).toBe(200);
    expect((await api.post(`/reservations/${first.body.id}/cancel`, {}, { token: alice.token })).status).toBe(200);

    const after = String((await api.get('/metrics')).body);
    expect(count(after, 'held') - count(before, 'held')).toBe(1);
    expect(count(after, 'rejected') - count(before, 'rejected')).toBe(1);
    expect(count(after, 'declined') - count(before, 'declined')).toBe(1);
    expect(count(after, 'confirmed') - count(before, 'confirmed')).toBe(1);
    expect(count(after, 'cancelled') - count(before, 'cancelled')).toBe(1);
  });
});

describe('worker logs and metrics', () => {
  let worker: WorkerProcess;
  let sdkPort: number;
  let appPort: number;

  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    await worker?.stop();
  });
  // Holds of this stack expire after 2 s, so the worker's expiry shows up quickly.
  const { stack } = useTestStack({ worker: false, env: { HOLD_TTL_SECONDS: '2' } });
  beforeAll(async () => {
    [sdkPort, appPort] = [await freePort(), await freePort()];
    worker = await startWorkerProcess(stack.config, { WORKER_METRICS_PORT: String(sdkPort), WORKER_APP_METRICS_PORT: String(appPort), HOLD_TTL_SECONDS: '2' });
  });

  const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it("counts the outcomes only the worker sees, and serves the Temporal SDK's metrics", async () => {
    const api = apiClient(stack.baseUrl);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const showtime = await createShowtime(stack.knex);
    const expiring = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [showtime.seats[0].id] }, { token: user.token });
    const cancelled = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [showtime.seats[1].id] }, { token: user.token });
    expect([expiring.status, cancelled.status]).toEqual([201, 201]);
    expect((await api.post(`/reservations/${cancelled.body.id}/cancel`, {}, { token: user.token })).status).toBe(200);

    const text = await eventually(async () => {
      const t = await scrape(appPort);
      return (sample(t, 'booking_worker_reservation_outcomes_total', { outcome: 'expired' }) ?? 0) >= 1 ? t : undefined;
    }, 20_000);
    expect(sample(text, 'booking_worker_reservation_outcomes_total', { outcome: 'cancelled' })).toBe(1);
    expect(sample(text, 'booking_worker_reservation_outcomes_total', { outcome: 'confirmed' })).toBe(0);

    const sdk = await scrape(sdkPort);
    expect(sdk).toMatch(/^temporal_\w+/m);
    for (const name of ['temporal_workflow_task_execution_latency', 'temporal_worker_task_slots_available', 'temporal_sticky_cache_size', 'temporal_request_latency']) {
      expect(sdk).toContain(name);
    }
  });

  it("writes the SDK's and the workflows' logs as JSON lines, with workflow ids", async () => {
    const lines = worker
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
    expect(lines.length).toBeGreaterThan(0);
    expect(worker.output().split('\n').filter((l) => l.trim() && !l.startsWith('{'))).toEqual([]);
    expect(lines.find((l) => l.msg === 'worker started')).toEqual(expect.objectContaining({ name: 'worker', level: 'info' }));
    // The workflow's `log` calls come through the Runtime logger with the SDK's metadata.
    expect(lines.find((l) => l.msg === 'reservation cancelled')).toEqual(
      expect.objectContaining({ sdkComponent: 'workflow', workflowId: expect.stringMatching(/^reservation-/), workflowType: 'reservationWorkflow', name: 'worker' }),
    );
  });
});
