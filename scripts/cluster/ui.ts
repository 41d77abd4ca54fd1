import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ServiceSpec } from './services';

/**
 * The Temporal Web UI server, the program the compose file's temporalio/ui image runs, against
 * the cluster's frontend. The CLI's UI only serves its own dev server, so this is built from
 * github.com/temporalio/ui-server at the compose file's TEMPORAL_UI_VERSION.
 */
export function uiSpec(binary: string, root: string, o: { port: number; frontend: string; namespace: string; corsOrigins: string[] }): ServiceSpec {
  const uiRoot = path.join(root, 'ui');
  mkdirSync(path.join(uiRoot, 'config'), { recursive: true });
  const config = {
    temporalGrpcAddress: o.frontend,
    host: '127.0.0.1',
    port: o.port,
    enableUi: true,
    defaultNamespace: o.namespace,
    showTemporalSystemNamespace: false,
    notifyOnNewVersion: false,
    // As TEMPORAL_CORS_ORIGINS in the compose file: the API's pages may call the UI server.
    cors: { cookieInsecure: true, allowOrigins: o.corsOrigins },
  };
  writeFileSync(path.join(uiRoot, 'config', 'base.yaml'), `# Written by \`npm run cluster\` (scripts/cluster/ui.ts) at every start.\n${yaml.dump(config)}`);
  return { service: 'ui', binary, args: ['--root', uiRoot, '--config', 'config', '--env', 'cluster', 'start'], cwd: uiRoot, logFile: path.join(root, 'logs', 'ui.log') };
}
