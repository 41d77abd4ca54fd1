import path from 'node:path';
import { ensureServerBinaries } from '../scripts/cluster/build';
import { allPorts, clusterPorts } from '../scripts/cluster/serverConfig';
import { killAllUnder } from '../scripts/cluster/services';
import { startTemporalCluster } from '../scripts/cluster/temporalCluster';
import { TEMPORAL_SERVER_VERSION } from '../scripts/cluster/versions';
import { portIsFree } from '../scripts/lib/ports';
import { dropDatabase, withDatabase } from '../scripts/postgres';
import { ensureTemporalCli } from '../scripts/temporalCli';
import { logLine } from './log';
import type { Cleanup } from './stack';

export interface BenchTemporal {
  address: string;
  description: string;
  /** The server processes whose CPU time tells when it has worked off a measurement's backlog. */
  pids: number[];
}

/**
 * `npm run bench -- --cluster`: the Temporal cluster of `npm run cluster` (scripts/cluster) in
 * place of the dev server, with databases and ports of the run's own, stopped and dropped at the end.
 */
export async function startBenchCluster(dir: string, serverUrl: string, cleanup: Cleanup): Promise<BenchTemporal> {
  const cli = await ensureTemporalCli();
  if (cli.type !== 'existing-path') throw new Error('the cluster needs the Temporal CLI (Go, or TEMPORAL_CLI_PATH)');
  const bin = await ensureServerBinaries(logLine);
  let base = 0;
  for (let attempt = 0; attempt < 50 && !base; attempt++) {
    const candidate = 21000 + 100 * Math.floor(Math.random() * 100);
    if ((await Promise.all(allPorts(clusterPorts(candidate)).map((p) => portIsFree('127.0.0.1', p)))).every(Boolean)) base = candidate;
  }
  if (!base) throw new Error('no free port range for the Temporal cluster');
  const suffix = `${process.pid}_${Date.now()}`;
  const databases = { temporal: `temporal_bench_${suffix}`, visibility: `temporal_bench_${suffix}_visibility` };
  const root = path.join(dir, 'temporal');
  cleanup.add('Temporal databases', async () => {
    for (const db of Object.values(databases)) await dropDatabase(withDatabase(serverUrl, db));
  });
  cleanup.add('Temporal cluster', () => killAllUnder(root));
  const cluster = await startTemporalCluster({ bin, cli: cli.path, root, serverUrl, databases, ports: clusterPorts(base), namespace: 'default', logLevel: 'error', log: logLine });
  return {
    address: cluster.address,
    description: `cluster: Temporal server ${TEMPORAL_SERVER_VERSION} from source, 4 service processes on Postgres`,
    pids: [...cluster.processes.values()].map((c) => c.pid).filter((p): p is number => p !== undefined),
  };
}
