import path from 'node:path';
import { REPO_ROOT } from '../lib/processes';

/**
 * The Temporal server and Web UI versions `npm run cluster` builds and runs. docker-compose.yml
 * pins the same ones (TEMPORAL_VERSION, TEMPORAL_ADMINTOOLS_VERSION, TEMPORAL_UI_VERSION):
 * test/cluster.version.test.ts keeps them equal.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_UI_VERSION = '2.42.1';

/**
 * The one dynamic-config file of production: the compose file mounts it into the server's
 * container, and `npm run cluster` points its server config at it.
 */
export const DYNAMIC_CONFIG_FILE = path.join(REPO_ROOT, 'docker', 'temporal', 'dynamicconfig', 'production.yaml');
