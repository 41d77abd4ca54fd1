import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { searchAttributes } from '../../workflows/shared';

const run = promisify(execFile);

/** Retries `fn` every second until it succeeds or `timeoutMs` is up; the last error is thrown. */
export async function retry<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: gave up after ${timeoutMs / 1000} s: ${err instanceof Error ? err.message : String(err)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** `NAME=Type` of every search attribute the reservation workflow upserts (workflows/shared.ts). */
export function searchAttributeArgs(): Array<{ name: string; type: string }> {
  return Object.values(searchAttributes).map((key) => ({ name: key.name, type: TypedSearchAttributes.toMetadataType(key.type) }));
}

/**
 * The namespace and the search attributes, with the CLI (`temporal operator ...`), as
 * docker/temporal/setup-namespace.sh does for the compose file. Safe to run at every start:
 * an existing namespace is kept, and creating an existing attribute with its type succeeds.
 */
export async function registerNamespace(cli: string, address: string, namespace: string, log: (line: string) => void): Promise<void> {
  const temporal = (...args: string[]) => run(cli, [...args, '--address', address, '--namespace', namespace]);
  await retry('the frontend to answer', () => run(cli, ['operator', 'cluster', 'health', '--address', address]), 120_000);
  const exists = await temporal('operator', 'namespace', 'describe').then(() => true, () => false);
  if (!exists) {
    log(`creating namespace ${namespace}`);
    await retry(`creating namespace ${namespace}`, () => temporal('operator', 'namespace', 'create', '--retention', '72h'), 60_000);
  }
  for (const { name, type } of searchAttributeArgs()) {
    // Retried: a new namespace takes a few seconds to reach every service.
    await retry(`search attribute ${name}`, () => temporal('operator', 'search-attribute', 'create', '--name', name, '--type', type), 60_000);
  }
  log(`namespace ${namespace} with search attributes ${searchAttributeArgs().map((a) => a.name).join(', ')}`);
}

/**
 * Resolves once a workflow can be started in the namespace: a new namespace reaches the history
 * service's cache some seconds after the frontend has it. Starts and terminates a probe.
 */
export async function waitForNamespaceReady(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    await retry(
      `namespace ${namespace} to take workflows`,
      async () => {
        const handle = await client.workflow.start('clusterProbe', { taskQueue: 'cluster-probe', workflowId: `cluster-probe-${Date.now()}`, workflowExecutionTimeout: '1m' });
        await handle.terminate('probe');
      },
      120_000,
    );
  } finally {
    await connection.close();
  }
}
