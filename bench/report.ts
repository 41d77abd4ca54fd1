import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { round } from './measure';
import { ResultsSchema, totalCpuMs, type BenchResults, type Latency, type Measured, type Target } from './resultsSchema';

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

function target(name: string, rule: string, value: number | null | undefined, threshold: number | null | undefined, ok: (v: number, t: number) => boolean): Target {
  const v = value ?? null;
  const t = threshold === null || threshold === undefined ? null : round(threshold, 2);
  return { name, rule, value: v, target: t, met: v === null || t === null ? null : ok(v, t) };
}

const atMost = (v: number, t: number) => v <= t;
const atLeast = (v: number, t: number) => v >= t;
const exactly = (v: number, t: number) => v === t;
const times = (k: number, v: number | undefined) => (v === undefined ? undefined : k * v);

/** The targets of issue 12, evaluated (never asserted: a missed target is a finding, not a failure). */
export function evaluateTargets(m: Measured): Target[] {
  const c = m.contention;
  return [
    target('hold_throughput_c50', 'holds/s at 50 clients >= 0.7 x Temporal floor starts/s at 50', m.hold.c50?.per_s, times(0.7, m.temporal_start.c50?.per_s), atLeast),
    target(
      'hold_p50_c1',
      'hold p50 at 1 client <= floor p50 at 1 + 8 ms',
      m.hold.c1?.p50,
      m.temporal_start.c1 ? m.temporal_start.c1.p50 + 8 : undefined,
      atMost,
    ),
    target('hold_p99_c10', 'hold p99 at 10 clients <= 4 x its p50', m.hold.c10?.p99, times(4, m.hold.c10?.p50), atMost),
    target('contention_winners', `exactly ${c?.seats ?? 20} winners`, c?.winners, c?.seats, exactly),
    target('contention_double_bookings', '0 double bookings', c?.double_bookings, 0, exactly),
    target('contention_loser_p50', "losers' p50 <= 300 ms (2 API processes)", c?.loser_p50, 300, atMost),
    target('contention_loser_p99', "losers' p99 <= 800 ms (2 API processes)", c?.loser_p99, 800, atMost),
    target(
      'confirm_p50_c1',
      'confirm p50 at 1 client <= confirm floor p50 + 15 ms',
      m.confirm.c1?.p50,
      m.confirm_floor?.c1 ? m.confirm_floor.c1.p50 + 15 : undefined,
      atMost,
    ),
    target('seat_map_2000_sold90_p50', 'seat map of 2,000 seats, 90% sold: p50 <= 20 ms', m.seat_map.s2000_sold90?.p50, 20, atMost),
    target(
      'hold_p50_open_holds',
      'hold p50 with 5,000 open holds <= 1.3 x with 100',
      m.open_holds.h5000?.hold_p50,
      times(1.3, m.open_holds.h100?.hold_p50),
      atMost,
    ),
    target('expiry_lag_p50', 'seats free after expires_at: p50 <= 1 s', m.expiry_lag?.p50, 1000, atMost),
    target('expiry_lag_max', 'seats free after expires_at: max <= 3 s', m.expiry_lag?.max, 3000, atMost),
    target('premiere_sold_out', 'premiere: every seat sold', m.premiere?.sold_seats, m.premiere?.seats, exactly),
    target('premiere_double_bookings', 'premiere: 0 double bookings', m.premiere?.double_bookings, 0, exactly),
    target('premiere_refused_while_available', 'premiere: nobody refused while the showtime could seat them', m.premiere?.refused_while_available, 0, exactly),
    target('premiere_orphan_singles', 'premiere: orphan single seats <= 2% of seats', m.premiere?.orphan_singles, times(0.02, m.premiere?.seats), atMost),
    target(
      'premiere_time_to_sellout',
      'premiere: time to sell out <= 1.5 x its floor',
      m.premiere?.time_to_sellout_s,
      times(1.5, m.premiere_floor?.time_to_sellout_s),
      atMost,
    ),
    target('premiere_buyer_p99', 'premiere: buyer p99 <= 3 s', m.premiere?.buyer_p99, 3000, atMost),
    target('premiere_api_cpu_refusal', 'premiere: API CPU per refusal <= 1.0 ms', m.premiere?.api_cpu_ms_per_refusal, 1, atMost),
    target('premiere_api_cpu_hold', 'premiere: API CPU per hold <= 2.5 ms', m.premiere?.api_cpu_ms_per_hold, 2.5, atMost),
    target('seat_events_fanout_p99', "a hold's seat event at every subscriber: p99 <= 500 ms", m.seat_events?.fanout_p99, 500, atMost),
    target(
      'seat_events_rss_per_1000',
      'API memory growth per 1,000 open seat-map streams <= 100 MB',
      m.seat_events && m.seat_events.subscribers > 0 ? round((m.seat_events.api_rss_growth_mb * 1000) / m.seat_events.subscribers, 1) : undefined,
      100,
      atMost,
    ),
  ];
}

/** Adds the targets and checks the shape: what `npm run bench` writes to latest.json. */
export function buildResults(measured: Measured): BenchResults {
  return ResultsSchema.parse({ ...measured, targets: evaluateTargets(measured) });
}

const n = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const lat = (l: Latency | null) => (l ? `${n(l.p50)} / ${n(l.p95)} / ${n(l.p99)}` : '–');
const rate = (l: Latency | null) => (l ? n(l.per_s, 0) : '–');
const errs = (...ls: (Latency | null)[]) => {
  const e = ls.reduce((sum, l) => sum + (l?.errors ?? 0), 0);
  return e > 0 ? ` (${e} errors)` : '';
};

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * What the CPU allows the hold's throughput target: a plain start's CPU on all processes over a
 * hold's, at 50 clients, beside the measured ratio of holds/s to starts/s.
 */
export function cpuBudget(r: BenchResults): { holdMs: number; startMs: number; ratio: number; measured: number | null } | null {
  const holdMs = totalCpuMs(r.hold.c50?.cpu);
  const startMs = totalCpuMs(r.temporal_start.c50?.cpu);
  if (!holdMs || !startMs) return null;
  const holds = r.hold.c50?.per_s;
  const starts = r.temporal_start.c50?.per_s;
  return { holdMs, startMs, ratio: startMs / holdMs, measured: holds && starts ? holds / starts : null };
}

/** The markdown report: printed, written to latest.md, and put between the README markers. */
export function toMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Benchmark (${m.mode}${m.mode === 'quick' ? ': short runs, indicative only' : ''}) on ${m.cpus} CPUs, Node ${m.node}, Temporal CLI ${m.temporal_cli}, ${m.at}` +
      (m.loadavg ? `, load average at start ${m.loadavg.map((v) => v.toFixed(2)).join(' ')}` : '') +
      '. Latencies in ms (p50 / p95 / p99).',
  );

  out.push('', '**The hold and its floors** (same run, same dev server, same task queue)', '');
  out.push(
    table(
      ['clients', 'hold: POST /reservations', 'holds/s', 'floor: workflow start', 'starts/s', 'floor: Postgres hold transaction', 'tx/s'],
      (['c1', 'c10', 'c50'] as const).map((c) => {
        const pg = c === 'c50' ? null : r.postgres_hold[c];
        return [
          c.slice(1),
          lat(r.hold[c]) + errs(r.hold[c]),
          rate(r.hold[c]),
          lat(r.temporal_start[c]) + errs(r.temporal_start[c]),
          rate(r.temporal_start[c]),
          c === 'c50' ? '–' : lat(pg) + errs(pg),
          c === 'c50' ? '–' : rate(pg),
        ];
      }),
    ),
  );

  const cpuRows = (['c1', 'c10', 'c50'] as const)
    .map((c) => [c, r.hold[c]?.cpu, r.temporal_start[c]?.cpu] as const)
    .filter(([, h, f]) => h || f);
  if (cpuRows.length > 0) {
    out.push('', '**CPU per operation** (ms of CPU time, from /proc; "all" adds every process measured)', '');
    out.push(
      table(
        ['clients', 'hold: API', 'hold: worker', 'hold: Temporal', 'hold: Postgres', 'hold: HTTP client', 'hold: all', 'floor: worker', 'floor: Temporal', 'floor: Temporal client', 'floor: all'],
        cpuRows.map(([c, h, f]) => [
          c.slice(1),
          n(h?.api_ms_per_op ?? null, 2),
          n(h?.worker_ms_per_op ?? null, 2),
          n(h?.temporal_ms_per_op ?? null, 2),
          n(h?.postgres_ms_per_op ?? null, 2),
          n(h?.bench_ms_per_op ?? null, 2),
          n(totalCpuMs(h), 2),
          n(f?.worker_ms_per_op ?? null, 2),
          n(f?.temporal_ms_per_op ?? null, 2),
          n(f?.bench_ms_per_op ?? null, 2),
          n(totalCpuMs(f), 2),
        ]),
      ),
    );
    const budget = cpuBudget(r);
    if (budget) {
      out.push(
        '',
        `At 50 clients a hold cost ${n(budget.holdMs, 2)} ms of CPU on all processes and a plain start ${n(budget.startMs, 2)} ms. ` +
          `Where the machine is CPU-bound, holds/s can reach at most ${n(budget.ratio, 2)}x the starts/s (the target asks 0.7x; measured ${n(budget.measured, 2)}x).`,
      );
    }
  }

  out.push('', '**Other operations**', '');
  out.push(
    table(
      ['operation', 'clients', 'p50 / p95 / p99', 'per s'],
      [
        ['confirm (pm_card_visa)', '1', lat(r.confirm.c1) + errs(r.confirm.c1), rate(r.confirm.c1)],
        ['confirm (pm_card_visa)', '10', lat(r.confirm.c10) + errs(r.confirm.c10), rate(r.confirm.c10)],
        ['confirm floor: an Update running one activity', '1', lat(r.confirm_floor?.c1 ?? null) + errs(r.confirm_floor?.c1 ?? null), rate(r.confirm_floor?.c1 ?? null)],
        ['cancel', '1', lat(r.cancel.c1) + errs(r.cancel.c1), rate(r.cancel.c1)],
        ['Update-with-Start, no-op workflow', '1', lat(r.update_with_start.c1) + errs(r.update_with_start.c1), rate(r.update_with_start.c1)],
        ['Update-with-Start, no-op workflow', '10', lat(r.update_with_start.c10) + errs(r.update_with_start.c10), rate(r.update_with_start.c10)],
      ],
    ),
  );

  const c = r.contention;
  out.push('', '**Contention**', '');
  out.push(
    c
      ? table(
          ['clients', 'seats', 'winners', 'losers', 'errors', 'double bookings', 'loser p50', 'loser p99', 'winner p50', 'max row-lock waiters', '409 without a race, p50'],
          [
            [
              String(c.clients),
              String(c.seats),
              String(c.winners),
              String(c.losers),
              String(c.errors),
              String(c.double_bookings),
              n(c.loser_p50),
              n(c.loser_p99),
              n(c.winner_p50),
              String(c.max_lock_waiters ?? '–'),
              n(c.uncontended_409_p50),
            ],
          ],
        )
      : 'not measured',
  );

  const p = r.premiere;
  if (p) {
    out.push('', '**Premiere** (best available, 2 API processes)', '');
    out.push(
      table(
        ['seats', 'buyers', 'sold', 'double bookings', 'orphan singles', 'refused while available', 'sold out after s', 'floor s', 'buyer p50', 'buyer p99', 'API CPU ms per hold', 'per refusal', 'per rush request'],
        [
          [
            String(p.seats),
            String(p.buyers),
            String(p.sold_seats),
            String(p.double_bookings),
            String(p.orphan_singles),
            String(p.refused_while_available),
            n(p.time_to_sellout_s, 2),
            n(r.premiere_floor?.time_to_sellout_s, 2),
            n(p.buyer_p50),
            n(p.buyer_p99),
            n(p.api_cpu_ms_per_hold, 2),
            n(p.api_cpu_ms_per_refusal, 2),
            n(p.api_cpu_ms_per_request, 2),
          ],
        ],
      ),
    );
  }

  const sm = r.seat_map;
  const via = [sm.s100_sold0, sm.s2000_sold90].find((e) => e)?.via;
  out.push('', `**Seat map** (${via === 'http' ? 'GET /api/v1/showtimes/:id/seats' : via === 'sql' ? 'the equivalent single SQL query: the HTTP route did not answer' : 'not measured'}), p50 / p99`, '');
  const pq = (e: { p50: number; p99: number } | null) => (e ? `${n(e.p50)} / ${n(e.p99)}` : '–');
  out.push(
    table(
      ['seats', '0% sold', '90% sold'],
      [
        ['100', pq(sm.s100_sold0), pq(sm.s100_sold90)],
        ['600', pq(sm.s600_sold0), pq(sm.s600_sold90)],
        ['2,000', pq(sm.s2000_sold0), pq(sm.s2000_sold90)],
      ],
    ),
  );

  out.push('', '**Open holds** (hold p50 at 1 client, worker RSS)', '');
  out.push(
    table(
      ['level', 'open holds', 'hold p50', 'worker RSS MB'],
      (['h100', 'h1000', 'h5000'] as const).map((k) => {
        const e = r.open_holds[k];
        return [k.slice(1), e ? String(e.open_holds) : '–', n(e?.hold_p50), n(e?.worker_rss_mb, 0)];
      }),
    ),
  );

  const x = r.expiry_lag;
  out.push('', `**Expiry lag** (seats free after expires_at${x ? `, TTL ${x.ttl_seconds} s, ${x.n} holds` : ''}): p50 ${n(x?.p50, 0)} ms, max ${n(x?.max, 0)} ms`);

  const se = r.seat_events;
  out.push(
    '',
    se
      ? `**Live seat map** (${se.subscribers} open GET /showtimes/:id/seats/events streams on one API): a hold's 201 to its event at every subscriber p50 ${n(se.fanout_p50)} ms, p99 ${n(se.fanout_p99)} ms; API RSS ${n(se.api_rss_mb, 0)} MB (${se.api_rss_growth_mb >= 0 ? '+' : ''}${n(se.api_rss_growth_mb, 0)} MB for the streams)`
      : '**Live seat map**: not measured',
  );

  out.push('', '**Targets**', '');
  out.push(
    table(
      ['target', 'value', 'threshold', 'met'],
      r.targets.map((t) => [t.rule, n(t.value, 1), n(t.target, 1), t.met === null ? 'not measured' : t.met ? 'met' : '**missed**']),
    ),
  );
  if (r.notes.length > 0) out.push('', ...r.notes.map((note) => `- ${note}`));
  return out.join('\n') + '\n';
}

/**
 * Replaces what lies between the README's bench markers with `markdown`. Returns false (and
 * leaves the file alone) when the file or either marker is missing.
 */
export function updateReadmeSection(readmePath: string, markdown: string): boolean {
  if (!existsSync(readmePath)) return false;
  const text = readFileSync(readmePath, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END, start + README_START.length);
  if (start < 0 || end < 0) return false;
  const next = `${text.slice(0, start + README_START.length)}\n${markdown.trimEnd()}\n${text.slice(end)}`;
  if (next !== text) writeFileSync(readmePath, next);
  return true;
}
