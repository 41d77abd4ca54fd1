import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';

/**
 * Serves a registry on http://host:port/metrics, for a process without an HTTP server of its own
 * (the worker). A port that is taken is logged, not fatal: see src/temporal/runtime.ts.
 */
export function serveMetrics(registry: Registry, host: string, port: number, logger: Logger): Server {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        logger.error({ err }, 'collecting metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  server.on('error', (err) => logger.error({ err, host, port }, 'cannot serve worker metrics; running without them'));
  server.listen(port, host, () => logger.info({ bindAddress: `${host}:${port}` }, 'worker metrics on /metrics'));
  return server;
}
