import { get, type ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context';
import { createBenchShowtime, type BenchUser } from '../fixtures';
import { forEachLimited, percentile, round, waitFor } from '../measure';
import type { BenchResults } from '../resultsSchema';
import { rssMb } from '../stack';
import { postHold } from './hold';

type SeatEvents = NonNullable<BenchResults['seat_events']>;

/** One open event stream: when each version arrived. */
class Subscriber {
  readonly seen = new Map<number, number>();
  snapshotVersion: number | undefined;
  failed: string | undefined;
  private buf = '';
  private readonly req: ClientRequest;

  constructor(url: string) {
    // A socket of its own per stream, as each browser would have.
    this.req = get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) this.failed = `HTTP ${res.statusCode}`;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.feed(chunk));
    });
    this.req.on('error', (err) => (this.failed ??= err.message));
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    const now = Date.now();
    this.buf += chunk;
    let cut: number;
    while ((cut = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, cut);
      this.buf = this.buf.slice(cut + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const event = /^event: (\w+)$/m.exec(block)?.[1];
      if (id === undefined) continue;
      if (event === 'snapshot') this.snapshotVersion = Number(id);
      else if (event === 'seats') this.seen.set(Number(id), now);
    }
  }
}

/**
 * N open seat-map streams on the one API process, then holds one at a time: the time from each
 * hold's 201 to its `seats` event at every subscriber, and the API's RSS with the streams open.
 */
export async function measureSeatEvents(ctx: BenchContext, user: BenchUser): Promise<SeatEvents | null> {
  const n = ctx.params.mode === 'quick' ? 100 : 1_000;
  const holds = ctx.params.mode === 'quick' ? 5 : 10;
  const apiPid = ctx.stack.api.proc.pid;
  const show = await createBenchShowtime(ctx.stack.knex, 100);
  const rssBefore = rssMb(apiPid);
  const url = `${ctx.stack.api.baseUrl}/api/v1/showtimes/${show.id}/seats/events`;
  const subs: Subscriber[] = [];
  try {
    await forEachLimited(Array.from({ length: n }), 50, Date.now() + 60_000, async () => {
      const s = new Subscriber(url);
      subs.push(s);
      await waitFor('a snapshot', async () => (s.snapshotVersion !== undefined || s.failed ? true : undefined), { timeoutMs: 30_000, intervalMs: 10 });
    });
    const ready = subs.filter((s) => s.snapshotVersion !== undefined);
    if (ready.length < n) ctx.notes.push(`Seat events: only ${ready.length} of ${n} streams opened (${subs.find((s) => s.failed)?.failed ?? 'timeout'}).`);
    if (ready.length === 0) return null;
    await sleep(500);
    const rssOpen = rssMb(apiPid);

    const base = Math.max(...ready.map((s) => s.snapshotVersion as number));
    const samples: number[] = [];
    let early = 0;
    for (let k = 1; k <= holds; k++) {
      await postHold(ctx.api, user, { showtime_id: show.id, seat_ids: [show.seatIds[k]] });
      const answered = Date.now();
      const version = base + k;
      await waitFor(`version ${version} at every stream`, async () => (ready.every((s) => s.seen.has(version)) ? true : undefined), {
        timeoutMs: 10_000,
        intervalMs: 5,
      }).catch(() => undefined);
      for (const s of ready) {
        const at = s.seen.get(version);
        if (at === undefined) continue;
        // NOTIFY goes out at COMMIT, which is before the 201: a stream may see it first.
        if (at < answered) early += 1;
        samples.push(Math.max(0, at - answered));
      }
      await sleep(200);
    }
    const missing = ready.length * holds - samples.length;
    if (missing > 0) ctx.notes.push(`Seat events: ${missing} of ${ready.length * holds} (hold, stream) events did not arrive within 10 s.`);
    if (early > 0) ctx.notes.push(`Seat events: ${early} of ${samples.length} events reached their stream before the bench read the hold's 201 (counted as 0 ms).`);
    samples.sort((a, b) => a - b);
    const out: SeatEvents = {
      subscribers: ready.length,
      fanout_p50: round(percentile(samples, 50), 2),
      fanout_p99: round(percentile(samples, 99), 2),
      api_rss_mb: round(rssOpen, 1),
      api_rss_growth_mb: round(rssOpen - rssBefore, 1),
    };
    ctx.log(`seat events: ${out.subscribers} streams, fan-out p50 ${out.fanout_p50} p99 ${out.fanout_p99} ms, API RSS ${out.api_rss_mb} MB (+${out.api_rss_growth_mb})`);
    return samples.length > 0 ? out : null;
  } finally {
    for (const s of subs) s.close();
  }
}
