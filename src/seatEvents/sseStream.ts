import type { Writable } from 'node:stream';

/** Past this many unsent bytes a client is not keeping up: it is dropped, not buffered for. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

export type CloseReason = 'client' | 'slow' | 'ended' | 'shutdown';

/** One event in text/event-stream framing. */
export function sseFrame(name: string, id: number | undefined, data: unknown): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** One open text/event-stream answer: framing, heartbeat, and the slow-consumer bound. */
export class SseStream {
  /** The highest version this client has been sent (snapshot or change). */
  version = 0;
  /** False until its first snapshot or replay is written: changes before that are not its. */
  ready = false;
  closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly out: Writable,
    private readonly opts: { heartbeatMs: number; maxBufferedBytes?: number; onClose: (reason: CloseReason) => void },
  ) {
    // A retry hint for EventSource; the comment keeps proxies from timing out an idle stream.
    this.write('retry: 2000\n\n');
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), opts.heartbeatMs);
    out.on('close', () => this.close('client'));
    out.on('error', () => this.close('client'));
  }

  event(name: string, id: number | undefined, data: unknown): void {
    this.write(sseFrame(name, id, data));
  }

  /** An event already framed by sseFrame: one serialisation for every stream it goes to. */
  send(frame: string): void {
    this.write(frame);
  }

  /** Ends the answer: `ended` tells the client not to come back, `shutdown` lets it reconnect elsewhere. */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (reason === 'slow') this.out.destroy();
    else if (!this.out.writableEnded) this.out.end();
    this.opts.onClose(reason);
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.out.write(chunk);
    if (this.out.writableLength > (this.opts.maxBufferedBytes ?? MAX_BUFFERED_BYTES)) this.close('slow');
  }
}
