import { statSync } from 'node:fs';
import { z } from 'zod';
import { isIpAddress } from './http/trustedProxies';
import { parseTicketPrivateKey } from './tickets/keys';

const DEV_JWT_SECRET = 'dev-jwt-secret-change-me';
const DEV_ADMIN_SECRET = 'dev-admin-secret-change-me';
const DEV_WEBHOOK_SECRET = 'whsec_dev_change_me';
const DEFAULT_SECRETS = new Set([DEV_JWT_SECRET, DEV_ADMIN_SECRET, DEV_WEBHOOK_SECRET]);

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** Long enough that guessing is hopeless even where the only brake is a per-address limit. */
export const PRODUCTION_MIN_SECRET_LENGTH = 32;
export const PRODUCTION_MIN_BCRYPT_ROUNDS = 10;

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(3000),
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/booking'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bookings'),
  // TLS to the Temporal frontend (Temporal Cloud, or a self-hosted one with TLS). Unset: on when any
  // of the settings below is given, off otherwise (the dev server and `npm run cluster` speak plain gRPC).
  TEMPORAL_TLS: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  // mTLS: the client certificate and its private key (PEM files), both or neither.
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  // The CA that signed the server's certificate; unset: the system's roots (enough for Temporal Cloud).
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  // The name the server's certificate must carry, where it differs from TEMPORAL_ADDRESS's host.
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  // Temporal Cloud API key, sent as `Authorization: Bearer …`; may go with a client certificate.
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
  ADMIN_REGISTRATION_SECRET: z.string().min(8).default(DEV_ADMIN_SECRET),
  HOLD_TTL_SECONDS: int(600).refine((v) => v >= 1, 'must be at least 1'),
  // Each extension adds HOLD_TTL_SECONDS to the hold's expiry; 0 turns extensions off.
  HOLD_MAX_EXTENSIONS: int(2),
  // No default here: production must name its provider (see loadConfig).
  PAYMENT_PROVIDER: z.enum(['fake', 'stripe']).optional(),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  PAYMENT_WEBHOOK_SECRET: z.string().min(8).default(DEV_WEBHOOK_SECRET),
  FAKE_PAYMENT_WEBHOOK_URL: z.url().optional(),
  FAKE_PAYMENT_WEBHOOK_DELAY_MS: int(1000),
  CANCELLATION_CUTOFF_MINUTES: int(60),
  CLEANING_BUFFER_MINUTES: int(15),
  BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(15).default(12),
  // Hops of reverse proxies in front of the API whose X-Forwarded-For is trusted; 0 trusts none.
  TRUST_PROXY_HOPS: int(0).refine((v) => v <= 10, 'must be 0 to 10'),
  // Optional: the proxies' own addresses; the header is then believed only on their connections.
  TRUST_PROXY_ADDRESSES: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((a) => a.trim()).filter(Boolean))
    .refine((list) => list.every(isIpAddress), 'must be a comma-separated list of IP addresses'),
  // `off` once the first admins exist: nobody can sign up as admin, whatever the secret.
  ADMIN_SIGNUP: z.enum(['on', 'off']).default('on'),
  // Browser origins allowed to call the API (CORS); unset: localhost origins outside production, none in it.
  ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : v.split(',').map((o) => o.trim()).filter(Boolean)))
    .refine((list) => list === undefined || list.every(isOrigin), 'must be a comma-separated list of origins such as https://shop.example.com'),
  REFRESH_FAMILY_MAX_AGE_DAYS: int(30).refine((v) => v >= 1, 'must be at least 1'),
  // Bearer token GET /metrics requires; in production /metrics is not served without one.
  METRICS_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Unset: pretty on a terminal outside production, JSON otherwise.
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  // The worker's Prometheus endpoints (the API serves GET /metrics on PORT); 0 turns one off.
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: int(9464).refine((v) => v <= 65535, 'must be a port number (0 turns it off)'),
  WORKER_APP_METRICS_PORT: int(9465).refine((v) => v <= 65535, 'must be a port number (0 turns it off)'),
  // Attempts per window; 0 turns that limit off.
  // A ceiling per account across all addresses, far above what one address may try (below).
  RATE_LIMIT_LOGIN_PER_EMAIL: int(100),
  RATE_LIMIT_LOGIN_PER_EMAIL_WINDOW_SECONDS: int(3600).refine((v) => v >= 1, 'must be at least 1'),
  // Failed logins per (e-mail, address) before backoff; then waits double from BASE up to MAX.
  LOGIN_BACKOFF_FREE_FAILURES: int(5),
  LOGIN_BACKOFF_BASE_SECONDS: int(2).refine((v) => v >= 1, 'must be at least 1'),
  LOGIN_BACKOFF_MAX_SECONDS: int(900).refine((v) => v >= 1, 'must be at least 1'),
  RATE_LIMIT_LOGIN_PER_ADDRESS: int(30),
  RATE_LIMIT_LOGIN_PER_ADDRESS_WINDOW_SECONDS: int(60).refine((v) => v >= 1, 'must be at least 1'),
  RATE_LIMIT_SIGNUP_PER_EMAIL: int(5),
  RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS: int(900).refine((v) => v >= 1, 'must be at least 1'),
  RATE_LIMIT_SIGNUP_PER_ADDRESS: int(20),
  RATE_LIMIT_SIGNUP_PER_ADDRESS_WINDOW_SECONDS: int(900).refine((v) => v >= 1, 'must be at least 1'),
  // Live seat-map streams open at once per client address; 0 turns the cap off.
  SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS: int(20),
  SEAT_EVENTS_HEARTBEAT_SECONDS: int(15).refine((v) => v >= 1, 'must be at least 1'),
  // Unset: a development key anyone can rebuild from the source; production refuses that.
  TICKET_SIGNING_PRIVATE_KEY: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parseTicketPrivateKey(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  DOORS_OPEN_MINUTES: int(60).refine((v) => v <= 24 * 60, 'must be at most 1440 (a day)'),
  // Purchase limits per user; 0 turns one off. The API never takes more than 10 seats at once.
  PURCHASE_LIMIT_SEATS_PER_RESERVATION: int(10).refine((v) => v <= 10, 'must be 0 to 10'),
  PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME: int(2),
  PURCHASE_LIMIT_SEATS_PER_SHOWTIME: int(10),
  // API processes sharing PORT (node:cluster); 1 runs the API in the process itself.
  API_PROCESSES: int(1).refine((v) => v >= 1 && v <= 64, 'must be 1 to 64'),
  // Outbound webhooks. Unset: private targets refused in production (SSRF), allowed elsewhere.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  WEBHOOK_RETRY_INITIAL_INTERVAL_MS: int(30_000).refine((v) => v >= 1, 'must be at least 1'),
  WEBHOOK_RETRY_MAX_INTERVAL_MS: int(3_600_000).refine((v) => v >= 1, 'must be at least 1'),
  WEBHOOK_GIVE_UP_AFTER_SECONDS: int(3 * 24 * 3600).refine((v) => v >= 1, 'must be at least 1'),
  WEBHOOK_TIMEOUT_MS: int(10_000).refine((v) => v >= 100, 'must be at least 100'),
  WEBHOOK_SWEEP_INTERVAL_MS: int(5_000).refine((v) => v >= 10, 'must be at least 10'),
});

export type Env = z.infer<typeof EnvSchema>;

/** At most `max` attempts per `windowSeconds`; `max` 0 means no limit. */
export interface RateLimitRule {
  max: number;
  windowSeconds: number;
}

/** Failed logins per (e-mail, address): `freeFailures` are free, then each waits twice as long. */
export interface LoginBackoffRule {
  freeFailures: number;
  baseSeconds: number;
  maxSeconds: number;
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  databaseUrl: string;
  temporal: TemporalConfig;
  jwtSecret: string;
  adminRegistrationSecret: string;
  holdTtlSeconds: number;
  /** How many times a hold may be extended (POST /reservations/:id/extend), by holdTtlSeconds each. */
  holdMaxExtensions: number;
  paymentProvider: 'fake' | 'stripe';
  paymentWebhookSecret: string;
  stripeSecretKey: string | undefined;
  /** Where the fake provider delivers its webhooks, and how long after a pending charge. */
  fakePayments: { webhookUrl: string; webhookDelayMs: number };
  cancellationCutoffMinutes: number;
  cleaningBufferMinutes: number;
  bcryptRounds: number;
  /** Trusted reverse-proxy hops (Koa's app.proxy and app.maxIpsCount); 0: the socket's address. */
  trustProxyHops: number;
  /** Empty: any peer's X-Forwarded-For counts (up to trustProxyHops); else only these peers'. */
  trustProxyAddresses: string[];
  adminSignup: boolean;
  /** Browser origins that may call the API; `localhost`: any http(s)://localhost or 127.0.0.1 port too. */
  cors: { origins: string[]; localhost: boolean };
  /** How long a refresh-token family may live from its login, however often it rotates. */
  refreshFamilyMaxAgeDays: number;
  /** Undefined: /metrics is public outside production and not served in production. */
  metricsToken: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  /** Undefined: pretty on a terminal outside production, JSON otherwise. */
  logFormat: Env['LOG_FORMAT'];
  /** Ports of the worker's metrics endpoints; 0 means off. */
  workerMetrics: { host: string; sdkPort: number; appPort: number };
  /** GET /showtimes/:id/seats/events: open streams per client address (0: no cap), heartbeat period. */
  seatEvents: { maxStreamsPerAddress: number; heartbeatSeconds: number };
  /** Ticket signing (undefined: the development key of src/tickets/keys.ts) and when doors open before a show. */
  tickets: { signingPrivateKey: string | undefined; doorsOpenMinutes: number };
  /** Per user; 0 means no limit. Checked inside the hold's transaction under a per-(user, showtime) lock. */
  purchaseLimits: PurchaseLimits;
  /** How many API processes share the port. */
  apiProcesses: number;
  webhooks: WebhookConfig;
  rateLimits: {
    loginPerEmail: RateLimitRule;
    loginPerAddress: RateLimitRule;
    signupPerEmail: RateLimitRule;
    signupPerAddress: RateLimitRule;
    loginBackoff: LoginBackoffRule;
  };
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Undefined: plain gRPC. An empty object: TLS checked against the system's roots. */
  tls?: TemporalTlsConfig;
  /** Temporal Cloud API key (always with TLS). */
  apiKey?: string;
}

/** Paths to PEM files, checked to exist at start-up and read when a connection is made. */
export interface TemporalTlsConfig {
  /** mTLS client certificate and key: both or neither. */
  clientCertPath?: string;
  clientKeyPath?: string;
  /** CA of the server's certificate; unset: the system's roots. */
  caPath?: string;
  serverName?: string;
}

export interface PurchaseLimits {
  seatsPerReservation: number;
  /** Holds (held or pending payment) one user may have open for one showtime. */
  openHoldsPerShowtime: number;
  /** Seats one user may hold or have booked for one showtime. */
  seatsPerShowtime: number;
}

/** Outbound webhooks: where they may go, and how their delivery is retried. */
export interface WebhookConfig {
  /** False: loopback, link-local and private targets are refused at creation and at every delivery (SSRF). */
  allowPrivateTargets: boolean;
  retryInitialIntervalMs: number;
  retryMaxIntervalMs: number;
  /** A delivery not acknowledged this long after it was first due is given up. */
  giveUpAfterSeconds: number;
  /** One HTTP attempt's limit. */
  timeoutMs: number;
  /** How often the worker's dispatcher looks for events it missed a notification of. */
  sweepIntervalMs: number;
}

export class ConfigError extends Error {}

/** Parses the environment once at start-up; a bad value stops the process with a clear message. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.LOG_FORMAT === 'pretty') {
    // pino-pretty is a dev dependency: the production image does not have it.
    throw new ConfigError('Invalid configuration:\n  LOG_FORMAT: pretty is for development; use json in production');
  }
  const paymentProvider = e.PAYMENT_PROVIDER ?? (e.NODE_ENV === 'production' ? undefined : 'fake');
  if (paymentProvider === 'stripe' && !e.STRIPE_SECRET_KEY) {
    throw new ConfigError('Invalid configuration:\n  STRIPE_SECRET_KEY: required when PAYMENT_PROVIDER=stripe');
  }
  const tlsProblems = temporalTlsProblems(e);
  if (tlsProblems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${tlsProblems.map((p) => `  ${p}`).join('\n')}`);
  }
  if (e.TRUST_PROXY_ADDRESSES.length > 0 && e.TRUST_PROXY_HOPS === 0) {
    throw new ConfigError('Invalid configuration:\n  TRUST_PROXY_ADDRESSES: needs TRUST_PROXY_HOPS (how many proxies append to X-Forwarded-For)');
  }
  if (e.NODE_ENV === 'production') {
    const weak = productionSecrets(e).filter(
      // PAYMENT_WEBHOOK_SECRET may list several secrets while rotating; none may be a default.
      (k) => !source[k] || e[k].split(',').some((part) => DEFAULT_SECRETS.has(part.trim())),
    );
    if (weak.length > 0) {
      throw new ConfigError(`Refusing to start in production with a default or missing secret: ${weak.join(', ')}`);
    }
    const problems = productionProblems(e, paymentProvider);
    if (problems.length > 0) {
      throw new ConfigError(`Refusing to start in production:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    }
  }
  // Only production leaves it unset, and production refused that above.
  if (!paymentProvider) throw new ConfigError('Invalid configuration:\n  PAYMENT_PROVIDER: missing');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: temporalTls(e),
      apiKey: e.TEMPORAL_API_KEY,
    },
    jwtSecret: e.JWT_SECRET,
    adminRegistrationSecret: e.ADMIN_REGISTRATION_SECRET,
    holdTtlSeconds: e.HOLD_TTL_SECONDS,
    holdMaxExtensions: e.HOLD_MAX_EXTENSIONS,
    paymentProvider,
    paymentWebhookSecret: e.PAYMENT_WEBHOOK_SECRET,
    stripeSecretKey: e.STRIPE_SECRET_KEY,
    fakePayments: {
      webhookUrl: e.FAKE_PAYMENT_WEBHOOK_URL ?? `http://127.0.0.1:${e.PORT}/api/v1/webhooks/payments`,
      webhookDelayMs: e.FAKE_PAYMENT_WEBHOOK_DELAY_MS,
    },
    cancellationCutoffMinutes: e.CANCELLATION_CUTOFF_MINUTES,
    cleaningBufferMinutes: e.CLEANING_BUFFER_MINUTES,
    bcryptRounds: e.BCRYPT_ROUNDS,
    trustProxyHops: e.TRUST_PROXY_HOPS,
    trustProxyAddresses: e.TRUST_PROXY_ADDRESSES,
    adminSignup: e.ADMIN_SIGNUP === 'on',
    cors: { origins: e.ALLOWED_ORIGINS ?? [], localhost: e.ALLOWED_ORIGINS === undefined && e.NODE_ENV !== 'production' },
    refreshFamilyMaxAgeDays: e.REFRESH_FAMILY_MAX_AGE_DAYS,
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    workerMetrics: { host: e.WORKER_METRICS_HOST, sdkPort: e.WORKER_METRICS_PORT, appPort: e.WORKER_APP_METRICS_PORT },
    seatEvents: { maxStreamsPerAddress: e.SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS, heartbeatSeconds: e.SEAT_EVENTS_HEARTBEAT_SECONDS },
    tickets: { signingPrivateKey: e.TICKET_SIGNING_PRIVATE_KEY, doorsOpenMinutes: e.DOORS_OPEN_MINUTES },
    purchaseLimits: {
      seatsPerReservation: e.PURCHASE_LIMIT_SEATS_PER_RESERVATION,
      openHoldsPerShowtime: e.PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME,
      seatsPerShowtime: e.PURCHASE_LIMIT_SEATS_PER_SHOWTIME,
    },
    apiProcesses: e.API_PROCESSES,
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === undefined ? e.NODE_ENV !== 'production' : e.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
      retryInitialIntervalMs: e.WEBHOOK_RETRY_INITIAL_INTERVAL_MS,
      retryMaxIntervalMs: e.WEBHOOK_RETRY_MAX_INTERVAL_MS,
      giveUpAfterSeconds: e.WEBHOOK_GIVE_UP_AFTER_SECONDS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      sweepIntervalMs: e.WEBHOOK_SWEEP_INTERVAL_MS,
    },
    rateLimits: {
      loginPerEmail: { max: e.RATE_LIMIT_LOGIN_PER_EMAIL, windowSeconds: e.RATE_LIMIT_LOGIN_PER_EMAIL_WINDOW_SECONDS },
      loginPerAddress: { max: e.RATE_LIMIT_LOGIN_PER_ADDRESS, windowSeconds: e.RATE_LIMIT_LOGIN_PER_ADDRESS_WINDOW_SECONDS },
      signupPerEmail: { max: e.RATE_LIMIT_SIGNUP_PER_EMAIL, windowSeconds: e.RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS },
      signupPerAddress: { max: e.RATE_LIMIT_SIGNUP_PER_ADDRESS, windowSeconds: e.RATE_LIMIT_SIGNUP_PER_ADDRESS_WINDOW_SECONDS },
      loginBackoff: { freeFailures: e.LOGIN_BACKOFF_FREE_FAILURES, baseSeconds: e.LOGIN_BACKOFF_BASE_SECONDS, maxSeconds: e.LOGIN_BACKOFF_MAX_SECONDS },
    },
  };
}

const TEMPORAL_TLS_FILES = {
  TEMPORAL_TLS_CERT_PATH: 'clientCertPath',
  TEMPORAL_TLS_KEY_PATH: 'clientKeyPath',
  TEMPORAL_TLS_CA_PATH: 'caPath',
} as const;

/** TLS is on when asked for, or when any TLS setting or an API key is given (an API key never goes in clear). */
function temporalTls(e: Env): TemporalTlsConfig | undefined {
  const implied = [e.TEMPORAL_TLS_CERT_PATH, e.TEMPORAL_TLS_KEY_PATH, e.TEMPORAL_TLS_CA_PATH, e.TEMPORAL_TLS_SERVER_NAME, e.TEMPORAL_API_KEY].some(
    (v) => v !== undefined,
  );
  if (e.TEMPORAL_TLS === 'false' || (e.TEMPORAL_TLS === undefined && !implied)) return undefined;
  const tls: TemporalTlsConfig = {};
  for (const [name, key] of Object.entries(TEMPORAL_TLS_FILES) as [keyof typeof TEMPORAL_TLS_FILES, keyof TemporalTlsConfig][]) {
    if (e[name] !== undefined) tls[key] = e[name];
  }
  if (e.TEMPORAL_TLS_SERVER_NAME !== undefined) tls.serverName = e.TEMPORAL_TLS_SERVER_NAME;
  return tls;
}

/**
 * Checked at start-up, so a worker or API with a wrong path stops at once with the variable's name
 * instead of retrying a connection that cannot succeed. The same rules hold in every environment.
 */
function temporalTlsProblems(e: Env): string[] {
  const problems: string[] = [];
  if ((e.TEMPORAL_TLS_CERT_PATH === undefined) !== (e.TEMPORAL_TLS_KEY_PATH === undefined)) {
    const missing = e.TEMPORAL_TLS_CERT_PATH === undefined ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH';
    problems.push(`${missing}: missing; a client certificate needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH`);
  }
  for (const name of Object.keys(TEMPORAL_TLS_FILES) as (keyof typeof TEMPORAL_TLS_FILES)[]) {
    const file = e[name];
    if (file !== undefined && !isFile(file)) problems.push(`${name}: no file at ${file}`);
  }
  if (e.TEMPORAL_TLS === 'false') {
    const contradicting = [...Object.keys(TEMPORAL_TLS_FILES), 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_API_KEY'].filter(
      (name) => e[name as keyof Env] !== undefined,
    );
    if (contradicting.length > 0) problems.push(`TEMPORAL_TLS: false, but ${contradicting.join(', ')} need TLS; unset them or TEMPORAL_TLS`);
  }
  return problems;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

type SecretName = 'JWT_SECRET' | 'ADMIN_REGISTRATION_SECRET' | 'PAYMENT_WEBHOOK_SECRET';

/** With admin signup off the admin secret opens nothing, so production need not be given one. */
function productionSecrets(e: Env): SecretName[] {
  return e.ADMIN_SIGNUP === 'off' ? ['JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET'] : ['JWT_SECRET', 'ADMIN_REGISTRATION_SECRET', 'PAYMENT_WEBHOOK_SECRET'];
}

/** What production refuses beyond default secrets, one line per problem, each naming its variable. */
function productionProblems(e: Env, paymentProvider: Config['paymentProvider'] | undefined): string[] {
  const problems: string[] = [];
  if (paymentProvider !== 'stripe') {
    // The fake provider confirms every booking without taking money.
    problems.push(`PAYMENT_PROVIDER: ${paymentProvider ? `${paymentProvider} is not a real provider` : 'missing'}; set stripe (with STRIPE_SECRET_KEY)`);
  }
  for (const name of productionSecrets(e)) {
    if (e[name].split(',').some((part) => part.trim().length < PRODUCTION_MIN_SECRET_LENGTH)) {
      problems.push(`${name}: shorter than ${PRODUCTION_MIN_SECRET_LENGTH} characters`);
    }
  }
  if (e.METRICS_TOKEN !== undefined && e.METRICS_TOKEN.length < PRODUCTION_MIN_SECRET_LENGTH) {
    problems.push(`METRICS_TOKEN: shorter than ${PRODUCTION_MIN_SECRET_LENGTH} characters`);
  }
  if (e.TICKET_SIGNING_PRIVATE_KEY === undefined) {
    // The development key is in the source: anyone could print valid tickets with it.
    problems.push('TICKET_SIGNING_PRIVATE_KEY: missing; set an Ed25519 private key (PEM, or base64 of its 32-byte seed)');
  }
  if (e.BCRYPT_ROUNDS < PRODUCTION_MIN_BCRYPT_ROUNDS) problems.push(`BCRYPT_ROUNDS: below ${PRODUCTION_MIN_BCRYPT_ROUNDS}`);
  for (const name of ['RATE_LIMIT_LOGIN_PER_EMAIL', 'RATE_LIMIT_LOGIN_PER_ADDRESS', 'LOGIN_BACKOFF_FREE_FAILURES'] as const) {
    if (e[name] === 0) problems.push(`${name}: 0 turns login limiting off`);
  }
  return problems;
}

/**
 * The environment that loadConfig() reads back as `config`: for starting the API or the worker
 * as a process of its own with a config built here (tests, bench), instead of a hand-kept list.
 */
export function configToEnv(config: Config): Record<string, string> {
  const rule = (name: string, r: RateLimitRule) => ({ [name]: String(r.max), [`${name}_WINDOW_SECONDS`]: String(r.windowSeconds) });
  const env: Record<string, string> = {
    NODE_ENV: config.env,
    PORT: String(config.port),
    DATABASE_URL: config.databaseUrl,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    JWT_SECRET: config.jwtSecret,
    ADMIN_REGISTRATION_SECRET: config.adminRegistrationSecret,
    HOLD_TTL_SECONDS: String(config.holdTtlSeconds),
    HOLD_MAX_EXTENSIONS: String(config.holdMaxExtensions),
    PAYMENT_PROVIDER: config.paymentProvider,
    PAYMENT_WEBHOOK_SECRET: config.paymentWebhookSecret,
    FAKE_PAYMENT_WEBHOOK_URL: config.fakePayments.webhookUrl,
    FAKE_PAYMENT_WEBHOOK_DELAY_MS: String(config.fakePayments.webhookDelayMs),
    CANCELLATION_CUTOFF_MINUTES: String(config.cancellationCutoffMinutes),
    CLEANING_BUFFER_MINUTES: String(config.cleaningBufferMinutes),
    BCRYPT_ROUNDS: String(config.bcryptRounds),
    LOG_LEVEL: config.logLevel,
    WORKER_METRICS_HOST: config.workerMetrics.host,
    WORKER_METRICS_PORT: String(config.workerMetrics.sdkPort),
    WORKER_APP_METRICS_PORT: String(config.workerMetrics.appPort),
    ...rule('RATE_LIMIT_LOGIN_PER_EMAIL', config.rateLimits.loginPerEmail),
    ...rule('RATE_LIMIT_LOGIN_PER_ADDRESS', config.rateLimits.loginPerAddress),
    ...rule('RATE_LIMIT_SIGNUP_PER_EMAIL', config.rateLimits.signupPerEmail),
    ...rule('RATE_LIMIT_SIGNUP_PER_ADDRESS', config.rateLimits.signupPerAddress),
    LOGIN_BACKOFF_FREE_FAILURES: String(config.rateLimits.loginBackoff.freeFailures),
    LOGIN_BACKOFF_BASE_SECONDS: String(config.rateLimits.loginBackoff.baseSeconds),
    LOGIN_BACKOFF_MAX_SECONDS: String(config.rateLimits.loginBackoff.maxSeconds),
    TRUST_PROXY_HOPS: String(config.trustProxyHops),
    ADMIN_SIGNUP: config.adminSignup ? 'on' : 'off',
    REFRESH_FAMILY_MAX_AGE_DAYS: String(config.refreshFamilyMaxAgeDays),
    SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS: String(config.seatEvents.maxStreamsPerAddress),
    SEAT_EVENTS_HEARTBEAT_SECONDS: String(config.seatEvents.heartbeatSeconds),
    DOORS_OPEN_MINUTES: String(config.tickets.doorsOpenMinutes),
    PURCHASE_LIMIT_SEATS_PER_RESERVATION: String(config.purchaseLimits.seatsPerReservation),
    PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME: String(config.purchaseLimits.openHoldsPerShowtime),
    PURCHASE_LIMIT_SEATS_PER_SHOWTIME: String(config.purchaseLimits.seatsPerShowtime),
    API_PROCESSES: String(config.apiProcesses),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: String(config.webhooks.allowPrivateTargets),
    WEBHOOK_RETRY_INITIAL_INTERVAL_MS: String(config.webhooks.retryInitialIntervalMs),
    WEBHOOK_RETRY_MAX_INTERVAL_MS: String(config.webhooks.retryMaxIntervalMs),
    WEBHOOK_GIVE_UP_AFTER_SECONDS: String(config.webhooks.giveUpAfterSeconds),
    WEBHOOK_TIMEOUT_MS: String(config.webhooks.timeoutMs),
    WEBHOOK_SWEEP_INTERVAL_MS: String(config.webhooks.sweepIntervalMs),
  };
  // An explicit empty list keeps "no origins" from turning back into the localhost default.
  if (!config.cors.localhost) env.ALLOWED_ORIGINS = config.cors.origins.join(',');
  if (config.tickets.signingPrivateKey !== undefined) env.TICKET_SIGNING_PRIVATE_KEY = config.tickets.signingPrivateKey;
  if (config.trustProxyAddresses.length > 0) env.TRUST_PROXY_ADDRESSES = config.trustProxyAddresses.join(',');
  if (config.metricsToken !== undefined) env.METRICS_TOKEN = config.metricsToken;
  if (config.stripeSecretKey !== undefined) env.STRIPE_SECRET_KEY = config.stripeSecretKey;
  if (config.logFormat !== undefined) env.LOG_FORMAT = config.logFormat;
  Object.assign(env, temporalTlsToEnv(config.temporal));
  return env;
}

function temporalTlsToEnv(temporal: TemporalConfig): Record<string, string> {
  const { tls, apiKey } = temporal;
  const env: Record<string, string> = { TEMPORAL_TLS: String(tls !== undefined) };
  if (tls?.clientCertPath !== undefined) env.TEMPORAL_TLS_CERT_PATH = tls.clientCertPath;
  if (tls?.clientKeyPath !== undefined) env.TEMPORAL_TLS_KEY_PATH = tls.clientKeyPath;
  if (tls?.caPath !== undefined) env.TEMPORAL_TLS_CA_PATH = tls.caPath;
  if (tls?.serverName !== undefined) env.TEMPORAL_TLS_SERVER_NAME = tls.serverName;
  if (apiKey !== undefined) env.TEMPORAL_API_KEY = apiKey;
  return env;
}
