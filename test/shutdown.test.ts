import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startApiProcess } from './helpers/apiProcess';
import { createShowtime, createUser } from './helpers/factories';
import { apiClient } from './helpers/http';
import { useTestStack } from './helpers/stack';
import { startWorkerProcess } from './helpers/workerProcess';

/**
 * SIGTERM on the real entry points (src/server.ts, src/worker.ts as child processes): the API
 * stops accepting, finishes what is in flight, closes its pools and exits 0; so does the worker.
 */

/** Whether a new TCP connection to the port is refused right now. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('graceful shutdown', () => {
  const { stack } = useTestStack({ worker: false });

  it('API: SIGTERM refuses new connections, finishes the request in flight, then exits 0', async () => {
    const api = await startApiProcess(stack.config, { LOG_LEVEL: 'info' });
    const port = Number(new URL(api.baseUrl).port);
    const exited = new Promise<number | null>((resolve) => api.child.once('exit', (code) => resolve(code)));
    try {
      // A sign-up whose body arrives slowly: the request is in flight, waiting for the rest of it.
      const body = Buffer.from(JSON.stringify({ name: 'Slow Client', email: `slow-${randomUUID()}@example.test`, password: 'a long enough password' }));
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/auth/user/signup', headers: { 'content-type': 'application/json', 'content-length': body.length } });
      const response = new Promise<IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject));
      req.write(body.subarray(0, 10));
      await sleep(300);

      api.child.kill('SIGTERM');
      expect(await waitFor(() => refused(port), 5000)).toBe(true);
      expect(api.child.exitCode).toBeNull();

      req.end(body.subarray(10));
      const res = await response;
      let text = '';
      for await (const chunk of res) text += String(chunk);
      expect(res.statusCode).toBe(201);
      expect(JSON.parse(text)).toEqual(expect.objectContaining({ access_token: expect.any(String), token_type: 'bearer' }));

      expect(await exited).toBe(0);
      const lines = api.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; status?: number });
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: no new connections, finishing in-flight requests', 'API stopped']));
      expect(lines.find((l) => l.msg === 'request' && l.status === 201)).toBeDefined();
    } finally {
      await api.kill();
    }
  });

  it('worker: SIGTERM lets it finish and exit 0; its reservations go on with the next worker', async () => {
    const worker = await startWorkerProcess(stack.config);
    const api = apiClient(stack.baseUrl);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const showtime = await createShowtime(stack.knex);
    const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [showtime.seats[0].id] }, { token: user.token });
    expect(hold.status).toBe(201);

    await worker.stop();
    expect(worker.child.exitCode).toBe(0);
    expect(worker.output()).toContain('"msg":"worker stopped"');

    // Nothing was lost: a new worker takes the reservation's workflow over.
    await stack.startWorker();
    const confirmed = await api.post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(confirmed.status).toBe(200);
    await stack.stopWorker();
  });
});
