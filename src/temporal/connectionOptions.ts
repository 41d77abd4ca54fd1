import { readFileSync } from 'node:fs';
import { ConfigError, type TemporalConfig } from '../config';

/** What both `Connection` (@temporalio/client) and `NativeConnection` (@temporalio/worker) accept for TLS. */
export interface TemporalTlsOptions {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/** The options the API's client and the worker connect with: address, TLS, API key. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TemporalTlsOptions;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/**
 * One place that turns the config into connection options, for the client and the worker alike,
 * so the two can never connect differently. Reads the PEM files now: a file that went missing
 * since start-up stops the connection with the variable's name, not a TLS handshake error.
 */
export function temporalConnectionOptions(temporal: Pick<TemporalConfig, 'address' | 'namespace' | 'tls' | 'apiKey'>): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: temporal.address };
  const { tls } = temporal;
  if (tls) {
    const pem = (name: string, file: string | undefined) => (file === undefined ? undefined : readPem(name, file));
    const ca = pem('TEMPORAL_TLS_CA_PATH', tls.caPath);
    const crt = pem('TEMPORAL_TLS_CERT_PATH', tls.clientCertPath);
    const key = pem('TEMPORAL_TLS_KEY_PATH', tls.clientKeyPath);
    options.tls = {
      ...(tls.serverName !== undefined && { serverNameOverride: tls.serverName }),
      ...(ca && { serverRootCACertificate: ca }),
      ...(crt && key && { clientCertPair: { crt, key } }),
    };
  }
  if (temporal.apiKey !== undefined) {
    options.apiKey = temporal.apiKey;
    // Temporal Cloud's regional API-key endpoints route by this header; a namespace endpoint ignores it.
    options.metadata = { 'temporal-namespace': temporal.namespace };
  }
  return options;
}

function readPem(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
