import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { TestPki } from './tlsCerts';

export interface TlsTerminator {
  /** host:port to give Temporal clients instead of the dev server's. */
  address: string;
  /** The common names of the client certificates of the connections that passed the handshake. */
  clientNames: string[];
  /** Why the handshakes it refused failed, as node:tls reports them. */
  refusals: string[];
  close(): Promise<void>;
}

/**
 * A TLS front for a plain-gRPC Temporal server, as a load balancer terminating TLS would be: the
 * CLI's dev server cannot serve TLS itself. It requires a client certificate signed by the PKI's
 * CA (mTLS) and offers HTTP/2 by ALPN, which gRPC clients ask for.
 */
export async function startTlsTerminator(target: string, pki: TestPki): Promise<TlsTerminator> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const clientNames: string[] = [];
  const refusals: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client: TLSSocket) => {
      const name = client.getPeerCertificate().subject?.CN;
      clientNames.push(Array.isArray(name) ? name.join(',') : (name ?? ''));
      const upstream = connect(port, host);
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    },
  );
  // A refused handshake (wrong CA, no client certificate) is the point of some tests, not a failure here.
  server.on('tlsClientError', (err) => refusals.push(err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientNames,
    refusals,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
