import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { hasExited } from '../lib/processes';
import type { ServerBinaries } from './build';
import { registerNamespace, retry, waitForNamespaceReady } from './namespace';
import { setUpSchemas, postgresTarget } from './schema';
import { TEMPORAL_SERVICES, writeServerConfig, type ClusterPorts, type TemporalService } from './serverConfig';
import { serviceSpec, spawnService, stopService, type ServiceSpec } from './services';

export interface TemporalClusterOptions {
  bin: ServerBinaries;
  /** The Temporal CLI, for the namespace and the search attributes. */
  cli: string;
  /** Folder of the config and the logs; every service's command line names it. */
  root: string;
  /** A URL of the Postgres server; Temporal's two databases are created on it. */
  serverUrl: string;
  databases: { temporal: string; visibility: string };
  ports: ClusterPorts;
  namespace: string;
  logLevel: string;
  log: (line: string) => void;
  /** Each output line of a service, besides its log file (the terminal's copy). */
  onServiceLine?: (service: TemporalService, line: string) => void;
  /** Called when a service exits without being asked to. */
  onUnexpectedExit?: (service: TemporalService, how: string) => void;
}

export interface TemporalCluster {
  /** The frontend's gRPC address, which clients and workers use. */
  address: string;
  specs: ServiceSpec[];
  processes: Map<TemporalService, ChildProcess>;
  /** Stops the services: the internal worker and the frontend first, history last. */
  stop(): Promise<void>;
}

function tcpConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** Waits for a gRPC health answer of the frontend ("SERVING"). */
async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  await retry(
    `the frontend at ${address}`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 3000 });
      try {
        const res = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
        if (res.status !== 1) throw new Error(`health status ${res.status}`);
      } finally {
        await connection.close();
      }
    },
    timeoutMs,
  );
}

/**
 * A Temporal cluster from source on Postgres: the schemas set up or upgraded, the config
 * written, the four services (history, matching, frontend, worker) as four processes, then the
 * namespace with its search attributes, ready to take workflows.
 */
export async function startTemporalCluster(o: TemporalClusterOptions): Promise<TemporalCluster> {
  await setUpSchemas(o.bin, o.serverUrl, o.databases, o.log);
  writeServerConfig({
    root: o.root,
    ports: o.ports,
    postgres: postgresTarget(o.serverUrl),
    database: o.databases.temporal,
    visibilityDatabase: o.databases.visibility,
    logLevel: o.logLevel,
  });
  const address = `127.0.0.1:${o.ports.grpc.frontend}`;
  const specs = TEMPORAL_SERVICES.map((s) => serviceSpec(o.bin.server, o.root, s));
  const processes = new Map<TemporalService, ChildProcess>();
  let stopping = false;
  const start = (spec: ServiceSpec) => {
    const service = spec.service as TemporalService;
    const child = spawnService(spec, o.onServiceLine && ((line) => o.onServiceLine!(service, line)));
    child.once('exit', (code, signal) => {
      if (!stopping) o.onUnexpectedExit?.(service, signal ? `signal ${signal}` : `exit code ${code}`);
    });
    processes.set(service, child);
    return child;
  };
  // History alone first: on a new database every service would write the cluster metadata at
  // once, and all but one would fail on its unique key. Once history listens, it is written.
  const history = start(specs[0]);
  for (const deadline = Date.now() + 180_000; ; ) {
    if (hasExited(history)) throw new Error(`the Temporal history service exited while starting: see ${o.root}/logs/history.log`);
    if (await tcpConnect(o.ports.grpc.history).then(() => true, () => false)) break;
    if (Date.now() > deadline) {
      await stopService(history);
      throw new Error(`the Temporal history service did not listen within 3 minutes: see ${o.root}/logs/history.log`);
    }
    await sleep(250);
  }
  for (const spec of specs.slice(1)) start(spec);
  o.log(`Temporal ${TEMPORAL_SERVICES.join(', ')} started (pids ${[...processes.values()].map((c) => c.pid).join(', ')}); logs in ${o.root}/logs`);
  const cluster: TemporalCluster = {
    address,
    specs,
    processes,
    async stop() {
      stopping = true;
      for (const s of ['worker', 'frontend', 'matching', 'history'] as const) {
        const child = processes.get(s);
        if (child && !hasExited(child)) {
          o.log(`stopping the Temporal ${s} service`);
          await stopService(child);
        }
      }
    },
  };
  let up = false;
  try {
    const dead = async () => {
      while (!up) {
        await sleep(500);
        const gone = [...processes].find(([, c]) => hasExited(c));
        if (gone) throw new Error(`the Temporal ${gone[0]} service exited while starting: see ${o.root}/logs/${gone[0]}.log`);
      }
    };
    await Promise.race([
      (async () => {
        await waitForFrontend(address, 180_000);
        await registerNamespace(o.cli, address, o.namespace, o.log);
        await waitForNamespaceReady(address, o.namespace);
      })(),
      dead(),
    ]);
    up = true;
  } catch (err) {
    up = true;
    await cluster.stop();
    throw err;
  }
  return cluster;
}
