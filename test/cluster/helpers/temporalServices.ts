import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import yaml from 'js-yaml';
import path from 'node:path';
import type { TemporalService } from '../../../scripts/cluster/serverConfig';
import { pidsUnder, spawnService, type ServiceSpec } from '../../../scripts/cluster/services';
import { signalPid, waitForPidExit } from '../../../scripts/lib/processes';
import { eventually } from '../../helpers/reservations';

/** The run's Temporal cluster, as test/cluster/setup/globalSetup.ts started it. */
function specs(): ServiceSpec[] {
  return JSON.parse(process.env.TEST_CLUSTER_SPECS ?? '[]') as ServiceSpec[];
}

function specOf(service: TemporalService): ServiceSpec {
  const spec = specs().find((s) => s.service === service);
  if (!spec) throw new Error(`no ${service} service in TEST_CLUSTER_SPECS: run through jest.cluster.config.js`);
  return spec;
}

/** The pid of the running process of `service` (its command line says `--service <name>`). */
export function servicePid(service: TemporalService): number | undefined {
  const root = process.env.TEST_CLUSTER_ROOT ?? '';
  return pidsUnder(root).find((pid) => {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return args[args.indexOf('--service') + 1] === service;
    } catch {
      return false;
    }
  });
}

/** SIGKILL: no drain, no goodbye to the membership ring; what a crash or an OOM kill does. */
export async function killService(service: TemporalService): Promise<void> {
  const pid = servicePid(service);
  if (!pid) throw new Error(`the ${service} service is not running`);
  signalPid(pid, 'SIGKILL');
  await waitForPidExit(pid, 10_000);
}

function grpcPort(service: TemporalService): number {
  const spec = specOf(service);
  const base = yaml.load(readFileSync(path.join(spec.cwd, 'config', 'base.yaml'), 'utf8')) as { services: Record<string, { rpc: { grpcPort: number } }> };
  return base.services[service].rpc.grpcPort;
}

/** Starts the service again with the same config; resolves once its gRPC port accepts connections. */
export async function startService(service: TemporalService): Promise<void> {
  spawnService(specOf(service));
  const port = grpcPort(service);
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    60_000,
    200,
  );
}

/** Temporal's two databases of this run (for pg_terminate_backend). */
export function temporalDatabases(): string[] {
  const dbs = JSON.parse(process.env.TEST_TEMPORAL_DATABASES ?? '{}') as { temporal?: string; visibility?: string };
  return [dbs.temporal, dbs.visibility].filter((d): d is string => !!d);
}
