import http from 'node:http';
import https from 'node:https';
import { signWebhookPayload } from '../payments/webhookSignature';
import { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from './eventTypes';
import { guardedLookup, hostOf, privateLiteralProblem, UnsafeTargetError, urlProblem } from './targetGuard';

export interface SendOptions {
  /** Refuse loopback, link-local and private targets (SSRF), checked on the address connected to. */
  refusePrivateTargets: boolean;
  timeoutMs: number;
}

export type SendResult =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; error: string; /** Sending again cannot help (an unsafe or invalid target). */ permanent: boolean };

/** Bytes of the receiver's answer read (and thrown away); the rest is not waited for. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs one signed event. Redirects are not followed (a 3xx is a failed attempt): following
 * one would send the event to a target nobody checked. Any 2xx is an acknowledgement.
 */
export async function sendWebhook(url: string, eventId: string, body: string, secret: string, options: SendOptions): Promise<SendResult> {
  const problem = urlProblem(url);
  if (problem) return { ok: false, statusCode: null, error: `invalid URL: ${problem}`, permanent: true };
  const target = new URL(url);
  const refused = options.refusePrivateTargets ? privateLiteralProblem(hostOf(target)) : undefined;
  if (refused) return { ok: false, statusCode: null, error: `refused: ${refused}`, permanent: true };
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    const req = transport.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'cinema-booking-webhooks/1',
          [WEBHOOK_ID_HEADER]: eventId,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(body, secret),
        },
        timeout: options.timeoutMs,
        // Never a pooled socket: each attempt resolves, checks and connects afresh.
        agent: false,
        ...(options.refusePrivateTargets ? { lookup: guardedLookup() } : {}),
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => {
          const statusCode = res.statusCode ?? 0;
          resolve(statusCode >= 200 && statusCode < 300 ? { ok: true, statusCode } : { ok: false, statusCode, error: `HTTP ${statusCode}`, permanent: false });
        };
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err) => {
      const unsafe = err instanceof UnsafeTargetError;
      resolve({ ok: false, statusCode: null, error: unsafe ? `refused: ${err.message}` : err.message, permanent: unsafe });
    });
    req.end(body);
  });
}
