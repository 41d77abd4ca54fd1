import Router from '@koa/router';
import type { AppDeps } from '../../deps';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** GET /healthz: asks Postgres and Temporal for real, each bounded by a short timeout. */
export function healthRouter({ knex, temporal }: AppDeps): Router {
  const router = new Router();
  router.get('/healthz', async (ctx) => {
    const [database, temporalStatus] = await Promise.all([
      withTimeout(knex.raw('SELECT 1'), CHECK_TIMEOUT_MS).then(
        () => 'ok',
        () => 'unavailable',
      ),
      // A gRPC deadline rather than a race, so the client's own retries stop with the check.
      temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => temporal.workflowService.getSystemInfo({})).then(
        () => 'ok',
        () => 'unavailable',
      ),
    ]);
    const ok = database === 'ok' && temporalStatus === 'ok';
    ctx.status = ok ? 200 : 503;
    if (!ok) ctx.set('Retry-After', '5');
    ctx.body = { status: ok ? 'ok' : 'degraded', database, temporal: temporalStatus };
  });
  return router;
}
