import { pingWorkflow } from '../bench/workflows/ping';
import { apiClient } from './helpers/http';
import { useTestStack } from './helpers/stack';

describe('foundation', () => {
  const { stack } = useTestStack();

  it('runs a workflow on the real dev server whose activity reads Postgres', async () => {
    const result = await stack.client.workflow.execute(pingWorkflow, {
      workflowId: `ping-${Date.now()}`,
      taskQueue: stack.config.temporal.taskQueue,
    });
    const { rows } = await stack.knex.raw('SELECT now() AS now');
    expect(Math.abs(Date.parse(result) - new Date(rows[0].now).getTime())).toBeLessThan(60_000);
  });

  it('GET /healthz checks Postgres and Temporal for real', async () => {
    const res = await apiClient(stack.baseUrl).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', temporal: 'ok' });
  });

  it('answers unknown routes with the error shape of API.md', async () => {
    const res = await apiClient(stack.baseUrl).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: expect.any(String), code: 'NOT_FOUND' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('propagates a well-formed incoming X-Request-Id', async () => {
    const res = await apiClient(stack.baseUrl).get('/healthz', { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
  });

  it('has the search attributes of DESIGN.md registered', async () => {
    const res = await stack.client.connection.operatorService.listSearchAttributes({ namespace: stack.config.temporal.namespace });
    expect(Object.keys(res.customAttributes)).toEqual(expect.arrayContaining(['ReservationStatus', 'ShowtimeId', 'UserId', 'HoldExpiresAt']));
  });
});
