import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** The raw body, as signed. */
  raw: Buffer;
  body: { id: string; type: string; created: number; sequence: number; data: { object: Record<string, unknown> } };
  headers: Record<string, string | string[] | undefined>;
  /** What the receiver answered. */
  status: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 for outbound webhook tests. `answer` decides each request's
 * status (default 200), given how many requests came before it.
 */
export async function startWebhookReceiver(answer: (received: ReceivedWebhook[], body: ReceivedWebhook['body']) => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8')) as ReceivedWebhook['body'];
      const status = answer(received, body);
      received.push({ raw, body, headers: req.headers, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    /** The requests answered 2xx. */
    acknowledged: () => received.filter((r) => r.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
