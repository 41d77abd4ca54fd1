import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createMaintenanceActivities } from '../../activities/maintenance';
import { loadConfig } from '../../src/config';
import { createKnex } from '../../src/db/knex';
import { purgeScheduleId } from '../../src/temporal/purgeSchedule';
import { createUser } from '../helpers/factories';
import { recordHistory } from '../helpers/histories';
import { startWorkerProcess } from '../helpers/workerProcess';

/** The purge deletes dead refresh tokens and expired limiter rows, on a Temporal Schedule. */

const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: process.env.TEST_DATABASE_URL,
  TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
  TEMPORAL_TASK_QUEUE: `test-purge-${randomUUID()}`,
});
const knex = createKnex(config.databaseUrl, 4);

afterAll(async () => {
  await knex.destroy();
});

describe('purgeStaleAuthRows', () => {
  it('deletes exactly the expired and revoked refresh tokens and the expired limiter rows', async () => {
    const user = await createUser(knex, config.jwtSecret);
    const tag = randomUUID().slice(0, 8);
    const token = (name: string, expires: string, revoked: boolean) => ({
      user_id: user.id,
      token_hash: `${tag}-${name}`,
      family_id: randomUUID(),
      expires_at: knex.raw(`now() + interval '${expires}'`),
      revoked_at: revoked ? knex.fn.now() : null,
    });
    await knex('refresh_tokens').insert([
      token('live', '1 day', false),
      { ...token('used-but-live', '1 day', false), used_at: knex.fn.now() },
      token('expired', '-1 second', false),
      token('revoked', '1 day', true),
    ]);
    const limiterRow = (name: string, expires: string) => ({ key: `${tag}-${name}`, expires_at: knex.raw(`now() + interval '${expires}'`) });
    await knex('rate_limits').insert([
      { ...limiterRow('live', '1 minute'), hits: 3 },
      { ...limiterRow('expired', '-1 second'), hits: 3 },
    ]);
    await knex('login_backoff').insert([
      { ...limiterRow('live', '1 hour'), failures: 2 },
      { ...limiterRow('expired', '-1 second'), failures: 2 },
    ]);

    const { purgeStaleAuthRows } = createMaintenanceActivities(knex);
    const result = await purgeStaleAuthRows();
    expect(result.refresh_tokens).toBeGreaterThanOrEqual(2);
    expect(result.rate_limits).toBeGreaterThanOrEqual(1);
    expect(result.login_backoff).toBeGreaterThanOrEqual(1);

    const left = async (table: string, column: string) =>
      (await knex(table).where(column, 'like', `${tag}-%`).orderBy(column).pluck(column)).map((v: string) => v.slice(tag.length + 1));
    expect(await left('refresh_tokens', 'token_hash')).toEqual(['live', 'used-but-live']);
    expect(await left('rate_limits', 'key')).toEqual(['live']);
    expect(await left('login_backoff', 'key')).toEqual(['live']);
    // Nothing stale is left anywhere, and a second run finds nothing of ours to delete.
    const stale = await knex('refresh_tokens').where('expires_at', '<', knex.fn.now()).orWhereNotNull('revoked_at').count({ n: '*' });
    expect(Number(stale[0].n)).toBe(0);
    await purgeStaleAuthRows();
    expect(await left('refresh_tokens', 'token_hash')).toEqual(['live', 'used-but-live']);
  });
});

describe('the purge schedule', () => {
  it('exists on the Temporal server once the worker has started, and a second start leaves it be', async () => {
    const connection = await Connection.connect({ address: config.temporal.address });
    const client = new Client({ connection, namespace: config.temporal.namespace });
    try {
      for (let start = 0; start < 2; start++) {
        const worker = await startWorkerProcess(config);
        await worker.stop();
        expect(worker.output()).toContain('purge schedule ready');
        expect(worker.output()).toContain(start === 0 ? '"outcome":"created"' : '"outcome":"exists"');
      }
      const described = await client.schedule.getHandle(purgeScheduleId(config.temporal.taskQueue)).describe();
      expect(described.action).toEqual(expect.objectContaining({ type: 'startWorkflow', workflowType: 'purgeStaleRowsWorkflow', taskQueue: config.temporal.taskQueue }));
      expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 3_600_000 })]);
      // Run it once now: the workflow reaches the activity on a real worker and reports its counts.
      const worker = await startWorkerProcess(config);
      try {
        await client.schedule.getHandle(purgeScheduleId(config.temporal.taskQueue)).trigger();
        const deadline = Date.now() + 30_000;
        let result: unknown;
        while (!result && Date.now() < deadline) {
          const runs = (await client.schedule.getHandle(purgeScheduleId(config.temporal.taskQueue)).describe()).info.recentActions;
          const run = runs[runs.length - 1];
          if (run) {
            const handle = client.workflow.getHandle(run.action.workflow.workflowId, run.action.workflow.firstExecutionRunId);
            result = await handle.result();
            await recordHistory(handle, 'purge-stale-rows');
          } else await new Promise((r) => setTimeout(r, 200));
        }
        expect(result).toEqual({ refresh_tokens: expect.any(Number), rate_limits: expect.any(Number), login_backoff: expect.any(Number) });
      } finally {
        await worker.stop();
      }
    } finally {
      await client.schedule.getHandle(purgeScheduleId(config.temporal.taskQueue)).delete().catch(() => undefined);
      await connection.close();
    }
  }, 120_000);
});
