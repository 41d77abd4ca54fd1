import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findGo, goInstall, isExecutable } from '../lib/goInstall';
import { REPO_ROOT } from '../lib/processes';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from './versions';

/** One folder per version in the ignored tools folder: a version bump builds anew, a rerun reuses. */
const TOOLS = path.join(REPO_ROOT, '.tools');
const SERVER_BIN = path.join(TOOLS, `temporal-server-v${TEMPORAL_SERVER_VERSION}`);
const UI_BIN = path.join(TOOLS, `temporal-ui-server-v${TEMPORAL_UI_VERSION}`);

export interface ServerBinaries {
  /** go.temporal.io/server/cmd/server: every service, chosen with --service. */
  server: string;
  /** go.temporal.io/server/cmd/tools/sql: temporal-sql-tool, which sets up and upgrades the schemas. */
  sqlTool: string;
  /** The module's own schema folder (schema/postgresql/v12) from Go's module cache. */
  schemaDir: string;
}

function requireGo(what: string): string {
  const go = findGo();
  if (!go) throw new Error(`${what} is built from source with Go, and no \`go\` was found (PATH, /usr/local/go/bin)`);
  return go;
}

async function ensureBinary(gobin: string, name: string, pkg: string, log: (line: string) => void): Promise<string> {
  const binary = path.join(gobin, name);
  if (isExecutable(binary)) return binary;
  log(`building ${pkg} with Go into ${path.relative(REPO_ROOT, gobin)}`);
  log('the first build compiles for a few minutes (two with a warm module cache); later runs reuse the binary');
  if (!(await goInstall({ go: requireGo(pkg), pkg, gobin, log })) || !isExecutable(binary)) throw new Error(`could not build ${pkg}`);
  return binary;
}

/** The Temporal server and its SQL tool at TEMPORAL_SERVER_VERSION, built on the first run. */
export async function ensureServerBinaries(log: (line: string) => void): Promise<ServerBinaries> {
  const version = `v${TEMPORAL_SERVER_VERSION}`;
  // The SQL tool first: seconds, and it brings the module (and its schema files) into the cache.
  const sqlTool = await ensureBinary(SERVER_BIN, 'sql', `go.temporal.io/server/cmd/tools/sql@${version}`, log);
  const server = await ensureBinary(SERVER_BIN, 'server', `go.temporal.io/server/cmd/server@${version}`, log);
  const modCache = execFileSync(requireGo('the schema'), ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const schemaDir = path.join(modCache, 'go.temporal.io', `server@${version}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(schemaDir)) throw new Error(`no schema folder at ${schemaDir}`);
  return { server, sqlTool, schemaDir };
}

/** The Temporal Web UI server (the one the compose file's temporalio/ui image runs), built on first use. */
export async function ensureUiServer(log: (line: string) => void): Promise<string> {
  return ensureBinary(UI_BIN, 'server', `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}`, log);
}

// `npx tsx scripts/cluster/build.ts`: builds (or finds) the server and its SQL tool, as CI does before the cluster tests.
if (require.main === module) {
  const log = (line: string) => console.log(`[temporal-server] ${line}`);
  ensureServerBinaries(log)
    .then((bin) => log(`ready: ${bin.server}, ${bin.sqlTool}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
