import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, configToEnv, loadConfig } from '../src/config';

/** The environment is parsed once at start-up; a bad value stops the process with its name. */

const PRODUCTION_SECRETS = {
  JWT_SECRET: 'a-real-jwt-secret-of-forty-characters-xx',
  ADMIN_REGISTRATION_SECRET: 'a-real-admin-secret-of-thirty-two-ch',
  PAYMENT_WEBHOOK_SECRET: 'whsec_a_real_one_of_thirty_two_characters',
};
/** An Ed25519 seed (base64 of 32 bytes) for the ticket signing key production requires. */
const TICKET_KEY = Buffer.alloc(32, 7).toString('base64');
/** What production needs besides the secrets: a real payment provider with its key. */
const PRODUCTION = { NODE_ENV: 'production', PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_123', TICKET_SIGNING_PRIVATE_KEY: TICKET_KEY, ...PRODUCTION_SECRETS };

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('has the defaults of API.md and the README', () => {
    const config = loadConfig({});
    expect(config).toEqual(
      expect.objectContaining({
        env: 'development',
        port: 3000,
        temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'bookings' },
        holdTtlSeconds: 600,
        holdMaxExtensions: 2,
        paymentProvider: 'fake',
        cancellationCutoffMinutes: 60,
        cleaningBufferMinutes: 15,
        logLevel: 'info',
        logFormat: undefined,
        workerMetrics: { host: '127.0.0.1', sdkPort: 9464, appPort: 9465 },
      }),
    );
  });

  it('reads and coerces the variables', () => {
    const config = loadConfig({ PORT: '8080', HOLD_TTL_SECONDS: '30', LOG_FORMAT: 'json', LOG_LEVEL: 'debug', WORKER_METRICS_PORT: '0', WORKER_METRICS_HOST: '0.0.0.0' });
    expect(config.port).toBe(8080);
    expect(config.holdTtlSeconds).toBe(30);
    expect(config.logFormat).toBe('json');
    expect(config.logLevel).toBe('debug');
    expect(config.workerMetrics).toEqual({ host: '0.0.0.0', sdkPort: 0, appPort: 9465 });
  });

  it('refuses private webhook targets by default in production only, and retries webhooks for 3 days', () => {
    expect(loadConfig({}).webhooks).toEqual({
      allowPrivateTargets: true,
      retryInitialIntervalMs: 30_000,
      retryMaxIntervalMs: 3_600_000,
      giveUpAfterSeconds: 3 * 24 * 3600,
      timeoutMs: 10_000,
      sweepIntervalMs: 5_000,
    });
    expect(loadConfig(PRODUCTION).webhooks.allowPrivateTargets).toBe(false);
    expect(loadConfig({ ...PRODUCTION, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).webhooks.allowPrivateTargets).toBe(true);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' }).webhooks.allowPrivateTargets).toBe(false);
    expect(failure({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS');
  });

  it('configToEnv gives back an environment that loads as the same config, defaults and every setting changed alike', () => {
    expect(loadConfig(configToEnv(loadConfig({})))).toEqual(loadConfig({}));
    const changed = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/booking',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'cinema',
      TEMPORAL_TASK_QUEUE: 'bookings-2',
      JWT_SECRET: 'a-real-jwt-secret-of-length-32-characters',
      ADMIN_REGISTRATION_SECRET: 'a-real-admin-secret-of-length-32-characters',
      HOLD_TTL_SECONDS: '30',
      HOLD_MAX_EXTENSIONS: '5',
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_123',
      PAYMENT_WEBHOOK_SECRET: 'whsec_real_1_of_length_32_characters,whsec_real_2_of_length_32_characters',
      FAKE_PAYMENT_WEBHOOK_URL: 'http://api.internal/api/v1/webhooks/payments',
      FAKE_PAYMENT_WEBHOOK_DELAY_MS: '5',
      CANCELLATION_CUTOFF_MINUTES: '30',
      CLEANING_BUFFER_MINUTES: '5',
      BCRYPT_ROUNDS: '11',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      WORKER_METRICS_HOST: '0.0.0.0',
      WORKER_METRICS_PORT: '0',
      WORKER_APP_METRICS_PORT: '9999',
      RATE_LIMIT_LOGIN_PER_EMAIL: '1',
      RATE_LIMIT_LOGIN_PER_EMAIL_WINDOW_SECONDS: '2',
      RATE_LIMIT_LOGIN_PER_ADDRESS: '3',
      RATE_LIMIT_LOGIN_PER_ADDRESS_WINDOW_SECONDS: '4',
      RATE_LIMIT_SIGNUP_PER_EMAIL: '5',
      RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS: '6',
      RATE_LIMIT_SIGNUP_PER_ADDRESS: '7',
      RATE_LIMIT_SIGNUP_PER_ADDRESS_WINDOW_SECONDS: '8',
      LOGIN_BACKOFF_FREE_FAILURES: '9',
      LOGIN_BACKOFF_BASE_SECONDS: '10',
      LOGIN_BACKOFF_MAX_SECONDS: '11',
      TRUST_PROXY_HOPS: '2',
      TRUST_PROXY_ADDRESSES: '10.0.0.1,10.0.0.2',
      ADMIN_SIGNUP: 'off',
      REFRESH_FAMILY_MAX_AGE_DAYS: '12',
      METRICS_TOKEN: 'a-metrics-token-of-length-32-characters',
      SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS: '3',
      SEAT_EVENTS_HEARTBEAT_SECONDS: '4',
      TICKET_SIGNING_PRIVATE_KEY: TICKET_KEY,
      DOORS_OPEN_MINUTES: '45',
      PURCHASE_LIMIT_SEATS_PER_RESERVATION: '6',
      PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME: '1',
      PURCHASE_LIMIT_SEATS_PER_SHOWTIME: '8',
      API_PROCESSES: '2',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_INITIAL_INTERVAL_MS: '100',
      WEBHOOK_RETRY_MAX_INTERVAL_MS: '200',
      WEBHOOK_GIVE_UP_AFTER_SECONDS: '300',
      WEBHOOK_TIMEOUT_MS: '400',
      WEBHOOK_SWEEP_INTERVAL_MS: '500',
    });
    expect(loadConfig(configToEnv(changed))).toEqual(changed);
  });

  it.each([
    ['PORT', 'eighty'],
    ['HOLD_TTL_SECONDS', '0'],
    ['HOLD_TTL_SECONDS', '-5'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['NODE_ENV', 'staging'],
    ['WORKER_METRICS_PORT', '70000'],
    ['WORKER_APP_METRICS_PORT', 'x'],
    ['JWT_SECRET', 'short'],
    ['BCRYPT_ROUNDS', '3'],
    ['PAYMENT_PROVIDER', 'cash'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    const message = failure({ [name]: value });
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain(`  ${name}: `);
  });

  it('names every bad variable at once', () => {
    const message = failure({ PORT: 'x', LOG_LEVEL: 'loud' });
    expect(message).toContain('PORT: ');
    expect(message).toContain('LOG_LEVEL: ');
  });

  it('refuses to start in production on missing secrets', () => {
    const message = failure({ NODE_ENV: 'production' });
    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('ADMIN_REGISTRATION_SECRET');
    expect(message).toContain('PAYMENT_WEBHOOK_SECRET');
  });

  it.each(Object.keys(PRODUCTION_SECRETS))('refuses to start in production on the default %s', (name) => {
    const defaults = loadConfig({});
    const defaultValue = { JWT_SECRET: defaults.jwtSecret, ADMIN_REGISTRATION_SECRET: defaults.adminRegistrationSecret, PAYMENT_WEBHOOK_SECRET: defaults.paymentWebhookSecret }[name];
    expect(defaultValue).toBeTruthy();
    const message = failure({ NODE_ENV: 'production', ...PRODUCTION_SECRETS, [name]: String(defaultValue) });
    expect(message).toContain(name);
    expect(message).toMatch(/production/);
  });

  it('refuses a default webhook secret hidden in a rotation list', () => {
    const message = failure({ NODE_ENV: 'production', ...PRODUCTION_SECRETS, PAYMENT_WEBHOOK_SECRET: 'whsec_real_new_secret_value, whsec_dev_change_me' });
    expect(message).toContain('PAYMENT_WEBHOOK_SECRET');
  });

  it('starts in production with real secrets', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.env).toBe('production');
    expect(config.jwtSecret).toBe(PRODUCTION_SECRETS.JWT_SECRET);
  });

  it('refuses pretty logs in production, where pino-pretty is not installed', () => {
    expect(failure({ ...PRODUCTION, LOG_FORMAT: 'pretty' })).toContain('LOG_FORMAT');
  });

  describe('production refuses unsafe settings, naming each', () => {
    it.each([
      ['PAYMENT_PROVIDER unset', { PAYMENT_PROVIDER: undefined }, /PAYMENT_PROVIDER: missing; set stripe/],
      ['the fake provider', { PAYMENT_PROVIDER: 'fake' }, /PAYMENT_PROVIDER: fake is not a real provider/],
      ['stripe without its key', { STRIPE_SECRET_KEY: undefined }, /STRIPE_SECRET_KEY: required when PAYMENT_PROVIDER=stripe/],
      ['a short JWT_SECRET', { JWT_SECRET: 'x'.repeat(31) }, /JWT_SECRET: shorter than 32 characters/],
      ['a short ADMIN_REGISTRATION_SECRET', { ADMIN_REGISTRATION_SECRET: 'an-8-char' }, /ADMIN_REGISTRATION_SECRET: shorter than 32 characters/],
      ['a short webhook secret in a rotation list', { PAYMENT_WEBHOOK_SECRET: `${PRODUCTION_SECRETS.PAYMENT_WEBHOOK_SECRET},whsec_short` }, /PAYMENT_WEBHOOK_SECRET: shorter than 32/],
      ['a short METRICS_TOKEN', { METRICS_TOKEN: 'sixteen-chars-xx' }, /METRICS_TOKEN: shorter than 32 characters/],
      ['bcrypt cost 9', { BCRYPT_ROUNDS: '9' }, /BCRYPT_ROUNDS: below 10/],
      ['no ticket signing key', { TICKET_SIGNING_PRIVATE_KEY: undefined }, /TICKET_SIGNING_PRIVATE_KEY: missing/],
      ['the per-e-mail login limit off', { RATE_LIMIT_LOGIN_PER_EMAIL: '0' }, /RATE_LIMIT_LOGIN_PER_EMAIL: 0 turns login limiting off/],
      ['the per-address login limit off', { RATE_LIMIT_LOGIN_PER_ADDRESS: '0' }, /RATE_LIMIT_LOGIN_PER_ADDRESS: 0 turns login limiting off/],
      ['the login backoff off', { LOGIN_BACKOFF_FREE_FAILURES: '0' }, /LOGIN_BACKOFF_FREE_FAILURES: 0 turns login limiting off/],
    ])('%s', (_label, change: Record<string, string | undefined>, message) => {
      const env = { ...PRODUCTION, ...change };
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete (env as Record<string, string | undefined>)[k];
      expect(failure(env as Record<string, string>)).toMatch(message);
      // Outside production the same values are allowed (tests and development use them).
      expect(() => loadConfig({ ...env, NODE_ENV: 'development' } as Record<string, string>)).not.toThrow(/shorter|below|turns login|not a real/);
    });

    it('names every problem at once', () => {
      const message = failure({ ...PRODUCTION, PAYMENT_PROVIDER: 'fake', BCRYPT_ROUNDS: '4', JWT_SECRET: 'y'.repeat(20) });
      expect(message).toMatch(/^Refusing to start in production:/);
      for (const name of ['PAYMENT_PROVIDER', 'BCRYPT_ROUNDS', 'JWT_SECRET']) expect(message).toContain(`  ${name}: `);
    });

    it('needs no admin secret with admin signup off', () => {
      const env: Record<string, string> = { ...PRODUCTION, ADMIN_SIGNUP: 'off' };
      delete env.ADMIN_REGISTRATION_SECRET;
      expect(loadConfig(env).adminSignup).toBe(false);
    });

    it('refuses the worker too (same config), naming the payment provider', () => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: path.join(__dirname, '..'),
        env: { PATH: process.env.PATH, ...PRODUCTION, PAYMENT_PROVIDER: 'fake' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('PAYMENT_PROVIDER: fake is not a real provider');
    });
  });

  it('reads the ticket settings and refuses a key that is not Ed25519', () => {
    expect(loadConfig({}).tickets).toEqual({ signingPrivateKey: undefined, doorsOpenMinutes: 60 });
    expect(loadConfig({ DOORS_OPEN_MINUTES: '30', TICKET_SIGNING_PRIVATE_KEY: TICKET_KEY }).tickets).toEqual({ signingPrivateKey: TICKET_KEY, doorsOpenMinutes: 30 });
    expect(failure({ TICKET_SIGNING_PRIVATE_KEY: 'c2hvcnQ=' })).toMatch(/TICKET_SIGNING_PRIVATE_KEY: must be a PEM/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(failure({ TICKET_SIGNING_PRIVATE_KEY: ecPem })).toMatch(/TICKET_SIGNING_PRIVATE_KEY: an ec key; tickets need Ed25519/);
    const edPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    // Env files often carry a PEM on one line with literal \n.
    expect(() => loadConfig({ TICKET_SIGNING_PRIVATE_KEY: edPem.replace(/\n/g, '\\n') })).not.toThrow();
  });

  it('reads the proxy, admin signup, token family and metrics settings', () => {
    expect(loadConfig({})).toEqual(
      expect.objectContaining({ trustProxyHops: 0, adminSignup: true, refreshFamilyMaxAgeDays: 30, metricsToken: undefined, paymentProvider: 'fake' }),
    );
    const config = loadConfig({ TRUST_PROXY_HOPS: '2', ADMIN_SIGNUP: 'off', REFRESH_FAMILY_MAX_AGE_DAYS: '7', METRICS_TOKEN: 'a-metrics-token-long-enough' });
    expect(config).toEqual(expect.objectContaining({ trustProxyHops: 2, adminSignup: false, refreshFamilyMaxAgeDays: 7, metricsToken: 'a-metrics-token-long-enough' }));
    expect(failure({ TRUST_PROXY_HOPS: '-1' })).toContain('TRUST_PROXY_HOPS');
    expect(loadConfig({ TRUST_PROXY_HOPS: '1', TRUST_PROXY_ADDRESSES: '10.0.0.5, ::1' }).trustProxyAddresses).toEqual(['10.0.0.5', '::1']);
    expect(loadConfig({}).trustProxyAddresses).toEqual([]);
    expect(failure({ TRUST_PROXY_HOPS: '1', TRUST_PROXY_ADDRESSES: '10.0.0.5, proxy.internal' })).toContain('TRUST_PROXY_ADDRESSES: must be');
    expect(failure({ TRUST_PROXY_ADDRESSES: '10.0.0.5' })).toContain('TRUST_PROXY_ADDRESSES: needs TRUST_PROXY_HOPS');
    expect(failure({ ADMIN_SIGNUP: 'maybe' })).toContain('ADMIN_SIGNUP');
  });

  it('stops the real entry point with the message and exit code 1', () => {
    // The same check as a process: what an operator sees on a bad deploy.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: path.join(__dirname, '..'),
      env: { PATH: process.env.PATH, NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRETS.JWT_SECRET },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Refusing to start in production with a default or missing secret: ADMIN_REGISTRATION_SECRET, PAYMENT_WEBHOOK_SECRET');
  });

  describe('Temporal TLS and API key', () => {
    // Only existence is checked at start-up; the files' contents are read when connecting.
    const dir = mkdtempSync(path.join(tmpdir(), 'config-tls-'));
    const cert = path.join(dir, 'client.pem');
    const key = path.join(dir, 'client.key');
    const ca = path.join(dir, 'ca.pem');
    for (const file of [cert, key, ca]) writeFileSync(file, 'PEM');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is off by default, on when asked, and implied by any TLS setting or an API key', () => {
      expect(loadConfig({}).temporal.tls).toBeUndefined();
      expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
      expect(loadConfig({ TEMPORAL_TLS_CA_PATH: ca }).temporal.tls).toEqual({ caPath: ca });
      expect(loadConfig({ TEMPORAL_TLS_SERVER_NAME: 'frontend.internal' }).temporal.tls).toEqual({ serverName: 'frontend.internal' });
      expect(loadConfig({ TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key }).temporal.tls).toEqual({ clientCertPath: cert, clientKeyPath: key });
      expect(loadConfig({ TEMPORAL_API_KEY: 'key-1' }).temporal).toEqual(expect.objectContaining({ tls: {}, apiKey: 'key-1' }));
      // Temporal lets a namespace accept both; the SDK then presents both.
      expect(loadConfig({ TEMPORAL_API_KEY: 'key-1', TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key }).temporal).toEqual(
        expect.objectContaining({ tls: { clientCertPath: cert, clientKeyPath: key }, apiKey: 'key-1' }),
      );
    });

    it('refuses half a certificate pair, a missing file, and TLS settings with TEMPORAL_TLS=false', () => {
      expect(failure({ TEMPORAL_TLS_CERT_PATH: cert })).toContain('TEMPORAL_TLS_KEY_PATH: missing; a client certificate needs both');
      expect(failure({ TEMPORAL_TLS_KEY_PATH: key })).toContain('TEMPORAL_TLS_CERT_PATH: missing; a client certificate needs both');
      const gone = path.join(dir, 'gone.pem');
      expect(failure({ TEMPORAL_TLS_CA_PATH: gone })).toContain(`TEMPORAL_TLS_CA_PATH: no file at ${gone}`);
      expect(failure({ TEMPORAL_TLS_CERT_PATH: dir, TEMPORAL_TLS_KEY_PATH: key })).toContain(`TEMPORAL_TLS_CERT_PATH: no file at ${dir}`);
      expect(failure({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_PATH: ca })).toContain('TEMPORAL_TLS: false, but TEMPORAL_TLS_CA_PATH need TLS');
      // An API key in clear text would be readable on the way.
      expect(failure({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'key-1' })).toContain('TEMPORAL_API_KEY need TLS');
      expect(failure({ TEMPORAL_TLS: 'yes' })).toContain('TEMPORAL_TLS: must be true or false');
    });

    it('asks nothing more of production, with or without TLS', () => {
      expect(loadConfig(PRODUCTION).temporal.tls).toBeUndefined();
      expect(loadConfig({ ...PRODUCTION, TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key }).temporal.tls).toEqual({ clientCertPath: cert, clientKeyPath: key });
      expect(failure({ ...PRODUCTION, TEMPORAL_TLS_CERT_PATH: cert })).toContain('TEMPORAL_TLS_KEY_PATH: missing');
    });

    it('round-trips through configToEnv', () => {
      for (const env of [
        { TEMPORAL_TLS: 'true' },
        { TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key, TEMPORAL_TLS_CA_PATH: ca, TEMPORAL_TLS_SERVER_NAME: 'localhost', TEMPORAL_API_KEY: 'key-1' },
      ]) {
        const config = loadConfig(env);
        expect(loadConfig(configToEnv(config))).toEqual(config);
      }
    });

    it('stops the worker process with the message, not a stack trace', () => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: path.join(__dirname, '..'),
        env: { PATH: process.env.PATH, TEMPORAL_TLS_CERT_PATH: path.join(dir, 'nowhere.pem') },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('TEMPORAL_TLS_KEY_PATH: missing');
      expect(run.stderr).toContain('TEMPORAL_TLS_CERT_PATH: no file at');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
