import { z } from 'zod';

const DEV_JWT_SECRET = 'dev-jwt-secret-change-me';
const DEV_ADMIN_SECRET = 'dev-admin-secret-change-me';
const DEV_WEBHOOK_SECRET = 'whsec_dev_change_me';
const DEFAULT_SECRETS = new Set([DEV_JWT_SECRET, DEV_ADMIN_SECRET, DEV_WEBHOOK_SECRET]);

const int = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(3000),
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/booking'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bookings'),
  JWT_SECRET: z.string().min(16).default(DEV_JWT_SECRET),
  ADMIN_REGISTRATION_SECRET: z.string().min(8).default(DEV_ADMIN_SECRET),
  HOLD_TTL_SECONDS: int(600).refine((v) => v >= 1, 'must be at least 1'),
  PAYMENT_PROVIDER: z.enum(['fake', 'stripe']).default('fake'),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  PAYMENT_WEBHOOK_SECRET: z.string().min(8).default(DEV_WEBHOOK_SECRET),
  FAKE_PAYMENT_WEBHOOK_URL: z.url().optional(),
  FAKE_PAYMENT_WEBHOOK_DELAY_MS: int(1000),
  CANCELLATION_CUTOFF_MINUTES: int(60),
  CLEANING_BUFFER_MINUTES: int(15),
  BCRYPT_ROUNDS: z.coerce.number().int().min(4).max(15).default(12),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Unset: pretty on a terminal outside production, JSON otherwise.
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  // The worker's Prometheus endpoints (the API serves GET /metrics on PORT); 0 turns one off.
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: int(9464).refine((v) => v <= 65535, 'must be a port number (0 turns it off)'),
  WORKER_APP_METRICS_PORT: int(9465).refine((v) => v <= 65535, 'must be a port number (0 turns it off)'),
  // Attempts per window; 0 turns that limit off.
  RATE_LIMIT_LOGIN_PER_EMAIL: int(10),
  RATE_LIMIT_LOGIN_PER_EMAIL_WINDOW_SECONDS: int(900).refine((v) => v >= 1, 'must be at least 1'),
  RATE_LIMIT_LOGIN_PER_ADDRESS: int(30),
  RATE_LIMIT_LOGIN_PER_ADDRESS_WINDOW_SECONDS: int(60).refine((v) => v >= 1, 'must be at least 1'),
  RATE_LIMIT_SIGNUP_PER_EMAIL: int(5),
  RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS: int(900).refine((v) => v >= 1, 'must be at least 1'),
  RATE_LIMIT_SIGNUP_PER_ADDRESS: int(20),
  RATE_LIMIT_SIGNUP_PER_ADDRESS_WINDOW_SECONDS: int(900).refine((v) => v >= 1, 'must be at least 1'),
});

export type Env = z.infer<typeof EnvSchema>;

/** At most `max` attempts per `windowSeconds`; `max` 0 means no limit. */
export interface RateLimitRule {
  max: number;
  windowSeconds: number;
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  jwtSecret: string;
  adminRegistrationSecret: string;
  holdTtlSeconds: number;
  paymentProvider: Env['PAYMENT_PROVIDER'];
  paymentWebhookSecret: string;
  stripeSecretKey: string | undefined;
  /** Where the fake provider delivers its webhooks, and how long after a pending charge. */
  fakePayments: { webhookUrl: string; webhookDelayMs: number };
  cancellationCutoffMinutes: number;
  cleaningBufferMinutes: number;
  bcryptRounds: number;
  logLevel: Env['LOG_LEVEL'];
  /** Undefined: pretty on a terminal outside production, JSON otherwise. */
  logFormat: Env['LOG_FORMAT'];
  /** Ports of the worker's metrics endpoints; 0 means off. */
  workerMetrics: { host: string; sdkPort: number; appPort: number };
  rateLimits: {
    loginPerEmail: RateLimitRule;
    loginPerAddress: RateLimitRule;
    signupPerEmail: RateLimitRule;
    signupPerAddress: RateLimitRule;
  };
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
  if (e.PAYMENT_PROVIDER === 'stripe' && !e.STRIPE_SECRET_KEY) {
    throw new ConfigError('Invalid configuration:\n  STRIPE_SECRET_KEY: required when PAYMENT_PROVIDER=stripe');
  }
  if (e.NODE_ENV === 'production') {
    const weak = (['JWT_SECRET', 'ADMIN_REGISTRATION_SECRET', 'PAYMENT_WEBHOOK_SECRET'] as const).filter(
      // PAYMENT_WEBHOOK_SECRET may list several secrets while rotating; none may be a default.
      (k) => !source[k] || e[k].split(',').some((part) => DEFAULT_SECRETS.has(part.trim())),
    );
    if (weak.length > 0) {
      throw new ConfigError(`Refusing to start in production with a default or missing secret: ${weak.join(', ')}`);
    }
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    jwtSecret: e.JWT_SECRET,
    adminRegistrationSecret: e.ADMIN_REGISTRATION_SECRET,
    holdTtlSeconds: e.HOLD_TTL_SECONDS,
    paymentProvider: e.PAYMENT_PROVIDER,
    paymentWebhookSecret: e.PAYMENT_WEBHOOK_SECRET,
    stripeSecretKey: e.STRIPE_SECRET_KEY,
    fakePayments: {
      webhookUrl: e.FAKE_PAYMENT_WEBHOOK_URL ?? `http://127.0.0.1:${e.PORT}/api/v1/webhooks/payments`,
      webhookDelayMs: e.FAKE_PAYMENT_WEBHOOK_DELAY_MS,
    },
    cancellationCutoffMinutes: e.CANCELLATION_CUTOFF_MINUTES,
    cleaningBufferMinutes: e.CLEANING_BUFFER_MINUTES,
    bcryptRounds: e.BCRYPT_ROUNDS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    workerMetrics: { host: e.WORKER_METRICS_HOST, sdkPort: e.WORKER_METRICS_PORT, appPort: e.WORKER_APP_METRICS_PORT },
    rateLimits: {
      loginPerEmail: { max: e.RATE_LIMIT_LOGIN_PER_EMAIL, windowSeconds: e.RATE_LIMIT_LOGIN_PER_EMAIL_WINDOW_SECONDS },
      loginPerAddress: { max: e.RATE_LIMIT_LOGIN_PER_ADDRESS, windowSeconds: e.RATE_LIMIT_LOGIN_PER_ADDRESS_WINDOW_SECONDS },
      signupPerEmail: { max: e.RATE_LIMIT_SIGNUP_PER_EMAIL, windowSeconds: e.RATE_LIMIT_SIGNUP_PER_EMAIL_WINDOW_SECONDS },
      signupPerAddress: { max: e.RATE_LIMIT_SIGNUP_PER_ADDRESS, windowSeconds: e.RATE_LIMIT_SIGNUP_PER_ADDRESS_WINDOW_SECONDS },
    },
  };
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
  };
  if (config.stripeSecretKey !== undefined) env.STRIPE_SECRET_KEY = config.stripeSecretKey;
  if (config.logFormat !== undefined) env.LOG_FORMAT = config.logFormat;
  return env;
}
