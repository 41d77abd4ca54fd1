import { Writable } from 'node:stream';
import { SseStream, type CloseReason } from '../src/seatEvents/sseStream';

/** A narrow unit test of the stream's framing and slow-consumer bound (no database involved). */
describe('SseStream', () => {
  /** A client that never reads: every write stays buffered. */
  const stalled = () => new Writable({ highWaterMark: 16, write: () => undefined });

  it('drops a client that does not keep up instead of buffering for it without bound', () => {
    const out = stalled();
    const closed: CloseReason[] = [];
    const s = new SseStream(out, { heartbeatMs: 60_000, maxBufferedBytes: 4096, onClose: (r) => closed.push(r) });
    for (let v = 1; v <= 100 && !s.closed; v++) s.event('seats', v, { version: v, changes: [{ seat_id: v, status: 'held' }] });
    expect(closed).toEqual(['slow']);
    expect(out.destroyed).toBe(true);
    // Later writes are ignored, not queued.
    const buffered = out.writableLength;
    s.event('seats', 101, {});
    expect(out.writableLength).toBe(buffered);
  });

  it('keeps a client that reads, however many events it gets', () => {
    let received = '';
    const out = new Writable({ write: (chunk: Buffer, _enc, cb) => ((received += chunk.toString()), cb()) });
    const closed: CloseReason[] = [];
    const s = new SseStream(out, { heartbeatMs: 60_000, maxBufferedBytes: 4096, onClose: (r) => closed.push(r) });
    for (let v = 1; v <= 1000; v++) s.event('seats', v, { version: v, changes: [] });
    expect(closed).toEqual([]);
    expect(received.startsWith('retry: 2000\n\nid: 1\nevent: seats\ndata: {"version":1,"changes":[]}\n\n')).toBe(true);
    s.close('shutdown');
    expect(closed).toEqual(['shutdown']);
  });
});
