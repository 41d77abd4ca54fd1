import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createTemporalClient } from '../src/temporal/client';
import { temporalConnectionOptions } from '../src/temporal/connectionOptions';
import { holdOnNewShowtime } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { createTestPki, type TestPki } from './helpers/tlsCerts';
import { startTlsTerminator, type TlsTerminator } from './helpers/tlsTerminator';

/**
 * The app against a Temporal that speaks only TLS and wants a client certificate (mTLS), as Temporal
 * Cloud does. The CLI's dev server has no TLS flags, so a TLS front (test/helpers/tlsTerminator.ts)
 * stands before it, with a throwaway CA and certificates made for this run.
 */
describe('Temporal over mTLS', () => {
  let pki: TestPki;
  let front: TlsTerminator;
  beforeAll(async () => {
    pki = createTestPki();
    front = await startTlsTerminator(process.env.TEST_TEMPORAL_ADDRESS ?? '', pki);
  });
  const { stack, api } = useTestStack(() => ({
    webhooks: false,
    env: {
      TEMPORAL_ADDRESS: front.address,
      TEMPORAL_TLS_CERT_PATH: pki.clientCert,
      TEMPORAL_TLS_KEY_PATH: pki.clientKey,
      TEMPORAL_TLS_CA_PATH: pki.caCert,
      // The front listens on 127.0.0.1; its certificate names localhost too.
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    },
  }));
  // Registered after the stack, so it closes after the stack's connections.
  afterAll(async () => {
    await front?.close();
    pki?.remove();
  });

  it('starts a hold through the API, and the worker runs its workflow, both over mTLS', async () => {
    const { reservation } = await holdOnNewShowtime(stack, api);
    // Only a worker answers a query: the worker's connection works too.
    const details = await stack.client.workflow.getHandle(reservation.workflow_id).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(details.currentDetails).toMatch(/held/i);
    // The client and the worker each passed the handshake with the client certificate.
    expect(front.clientNames.filter((name) => name === 'client').length).toBeGreaterThanOrEqual(2);
  });

  it('connects the production client (createTemporalClient) with the same options', async () => {
    const client = createTemporalClient(stack.config);
    try {
      const info = await client.workflowService.getSystemInfo({});
      expect(info.capabilities).toBeDefined();
    } finally {
      await client.connection.close();
    }
  });

  it('refuses a server whose certificate the configured CA did not sign', async () => {
    const tls = { ...stack.config.temporal.tls, caPath: pki.otherCaCert };
    const options = temporalConnectionOptions({ ...stack.config.temporal, tls });
    await expect(Connection.connect({ ...options, connectTimeout: 5_000 })).rejects.toThrow();
    // grpc-js only says it could not connect in time; the worker's rustls names the cause.
    await expect(NativeConnection.connect(options)).rejects.toThrow(/UnknownIssuer/);
  }, 60_000);

  it('is refused by a server that wants a client certificate when it has none', async () => {
    const tls = { caPath: pki.caCert, serverName: 'localhost' };
    const options = temporalConnectionOptions({ ...stack.config.temporal, tls });
    await expect(Connection.connect({ ...options, connectTimeout: 5_000 })).rejects.toThrow();
    // With TLS 1.3 the client hears of it after its side of the handshake, so its error varies.
    await expect(NativeConnection.connect(options)).rejects.toThrow();
    expect(front.refusals.filter((message) => /did not return a certificate/.test(message)).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
