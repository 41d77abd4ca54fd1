import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { temporalConnectionOptions } from '../src/temporal/connectionOptions';

/** The one function both the API's client and the worker connect with (src/temporal/client.ts, worker.ts). */
describe('temporalConnectionOptions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'connection-options-'));
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const cert = file('client.pem', 'CLIENT CERT');
  const key = file('client.key', 'CLIENT KEY');
  const ca = file('ca.pem', 'SERVER CA');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives plain gRPC by default: the address only', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).temporal)).toEqual({ address: 'temporal:7233' });
  });

  it('gives TLS against the system roots when only TEMPORAL_TLS is set', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true' }).temporal)).toEqual({ address: '127.0.0.1:7233', tls: {} });
  });

  it('reads the certificate pair and the CA, and overrides the server name', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'cinema.a1b2c.tmprl.cloud:7233',
      TEMPORAL_TLS_CERT_PATH: cert,
      TEMPORAL_TLS_KEY_PATH: key,
      TEMPORAL_TLS_CA_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    expect(temporalConnectionOptions(config.temporal)).toEqual({
      address: 'cinema.a1b2c.tmprl.cloud:7233',
      tls: {
        serverNameOverride: 'frontend.internal',
        serverRootCACertificate: Buffer.from('SERVER CA'),
        clientCertPair: { crt: Buffer.from('CLIENT CERT'), key: Buffer.from('CLIENT KEY') },
      },
    });
  });

  it('sends an API key over TLS, with the namespace header regional endpoints route by', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'cinema.a1b2c', TEMPORAL_API_KEY: 'key-1' });
    expect(temporalConnectionOptions(config.temporal)).toEqual({
      address: 'us-east-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'key-1',
      metadata: { 'temporal-namespace': 'cinema.a1b2c' },
    });
  });

  it('presents both an API key and a client certificate when given both', () => {
    const config = loadConfig({ TEMPORAL_API_KEY: 'key-1', TEMPORAL_TLS_CERT_PATH: cert, TEMPORAL_TLS_KEY_PATH: key });
    const options = temporalConnectionOptions(config.temporal);
    expect(options.apiKey).toBe('key-1');
    expect(options.tls?.clientCertPair).toEqual({ crt: Buffer.from('CLIENT CERT'), key: Buffer.from('CLIENT KEY') });
  });

  it('names the variable of a file that cannot be read when connecting', () => {
    const gone = file('gone.pem', 'x');
    const config = loadConfig({ TEMPORAL_TLS_CA_PATH: gone });
    rmSync(gone);
    expect(() => temporalConnectionOptions(config.temporal)).toThrow(ConfigError);
    expect(() => temporalConnectionOptions(config.temporal)).toThrow(`TEMPORAL_TLS_CA_PATH: cannot read ${gone} (ENOENT)`);
  });
});
