import { apiClient } from './helpers/http';
import { createShowtime, createUser, insertReservation } from './helpers/factories';
import { openSse, type SseClient, type SseMessage } from './helpers/sse';
import { useTestStack } from './helpers/stack';
import { LISTENER_APPLICATION_NAME } from '../src/seatEvents/listener';

/** Within this long of the change's commit, every open stream has it (the bound). */
const DELIVERY_MS = 2_000;

describe('live seat map: GET /showtimes/:id/seats/events', () => {
  let other: { baseUrl: string; close(): Promise<void> };
  let user: { id: number; token: string };
  const open: SseClient[] = [];
  // Registered before the stack's hooks: the second API closes first.
  afterAll(async () => {
    await other?.close();
  });
  const { stack, api } = useTestStack({ env: { SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS: '0' } });
  beforeAll(async () => {
    // A second API process on the same database and Temporal: it learns of changes only from Postgres.
    other = await stack.startExtraApi({});
    user = await createUser(stack.knex, stack.config.jwtSecret);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  const stream = async (baseUrl: string, showtimeId: number, headers: Record<string, string> = {}, query = '') => {
    const s = await openSse(`${baseUrl}/api/v1/showtimes/${showtimeId}/seats/events${query}`, headers);
    open.push(s);
    return s;
  };
  const statusIn = (m: SseMessage, seatId: number): string | undefined =>
    m.event === 'snapshot'
      ? (m.data.seats as { seat_id: number; status: string }[]).find((s) => s.seat_id === seatId)?.status
      : (m.data.changes as { seat_id: number; status: string }[]).find((c) => c.seat_id === seatId)?.status;
  const seatsEvent = (seatId: number, status: string) => (m: SseMessage) => m.event === 'seats' && statusIn(m, seatId) === status;


  it('starts with a snapshot (the seat map and its version) and is public', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 3 }] });
    const s = await stream(other.baseUrl, st.id);
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const snap = await s.next((m) => m.event === 'snapshot');
    expect(snap.id).toBe('0');
    expect(snap.data).toMatchObject({ version: 0, showtime_id: st.id, counts: { available: 3, held: 0, booked: 0 } });
    expect(snap.data.seats).toHaveLength(3);
  });

  it('across two API processes: held, then booked, then available, each within 2 s of the answer', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const seat = st.seats[1].id;
    const watchers = [await stream(stack.baseUrl, st.id), await stream(other.baseUrl, st.id)];
    for (const w of watchers) await w.next((m) => m.event === 'snapshot');

    const hold = await api.post('/reservations', { showtime_id: st.id, seat_ids: [seat] }, { token: user.token });
    expect(hold.status).toBe(201);
    const heldAt = Date.now();
    for (const w of watchers) expect((await w.next(seatsEvent(seat, 'held'), DELIVERY_MS)).at - heldAt).toBeLessThanOrEqual(DELIVERY_MS);

    const confirm = await api.post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(confirm.status).toBe(200);
    const bookedAt = Date.now();
    for (const w of watchers) expect((await w.next(seatsEvent(seat, 'booked'), DELIVERY_MS)).at - bookedAt).toBeLessThanOrEqual(DELIVERY_MS);

    const cancel = await api.post(`/reservations/${hold.body.id}/cancel`, {}, { token: user.token });
    expect(cancel.status).toBe(200);
    const freedAt = Date.now();
    for (const w of watchers) expect((await w.next(seatsEvent(seat, 'available'), DELIVERY_MS)).at - freedAt).toBeLessThanOrEqual(DELIVERY_MS);

    // Versions rise by one per committed change, in order, the same on both processes.
    for (const w of watchers) {
      const ids = w.messages.map((m) => Number(m.id));
      expect(ids).toEqual([0, 1, 2, 3]);
    }
  });

  it('resumes from Last-Event-ID (or ?last_event_id=) with exactly the missed changes', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const [a, b, c] = st.seats.map((s) => s.id);
    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [a] });
    const first = await stream(other.baseUrl, st.id);
    expect((await first.next((m) => m.event === 'snapshot')).id).toBe('1');
    first.close();

    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [b] });
    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [c] });

    const resumed = await stream(stack.baseUrl, st.id, { 'Last-Event-ID': '1' });
    await resumed.next((m) => m.id === '3');
    expect(resumed.messages.map((m) => [m.event, m.id, m.data.changes])).toEqual([
      ['seats', '2', [{ seat_id: b, status: 'held' }]],
      ['seats', '3', [{ seat_id: c, status: 'held' }]],
    ]);
    // ...and then it is live.
    const d = st.seats[3].id;
    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [d] });
    await resumed.next(seatsEvent(d, 'held'), DELIVERY_MS);
    await stack.knex('reservation_seats').where({ showtime_id: st.id, seat_id: d }).update({ is_active: false });
    await resumed.next(seatsEvent(d, 'available'), DELIVERY_MS);

    const byQuery = await stream(other.baseUrl, st.id, {}, '?last_event_id=3');
    await byQuery.next((m) => m.id === '5');
    expect(byQuery.messages.map((m) => [m.event, m.id, m.data.changes])).toEqual([
      ['seats', '4', [{ seat_id: d, status: 'held' }]],
      ['seats', '5', [{ seat_id: d, status: 'available' }]],
    ]);
  });

  it('sends a fresh snapshot to a Last-Event-ID it cannot replay (never reached, or no longer kept)', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [st.seats[0].id] });
    const ahead = await stream(stack.baseUrl, st.id, { 'Last-Event-ID': '99' });
    expect(await ahead.next(() => true)).toMatchObject({ event: 'snapshot', id: '1' });

    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [st.seats[1].id] });
    // Pruned once this process has delivered it, as retention prunes only what is old.
    await ahead.next((m) => m.event === 'seats' && m.id === '2', DELIVERY_MS);
    await stack.knex('seat_events').where({ showtime_id: st.id, version: 2 }).delete();
    const pruned = await stream(stack.baseUrl, st.id, { 'Last-Event-ID': '1' });
    expect(await pruned.next(() => true, DELIVERY_MS)).toMatchObject({ event: 'snapshot', id: '2', data: { counts: { held: 2 } } });
  });

  it('loses nothing when the LISTEN connection is killed: each stream gets the change or a fresh snapshot', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const seat = st.seats[2].id;
    const watchers = [await stream(stack.baseUrl, st.id), await stream(other.baseUrl, st.id)];
    for (const w of watchers) await w.next((m) => m.event === 'snapshot');

    const { rows } = (await stack.knex.raw(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()',
      [LISTENER_APPLICATION_NAME],
    )) as { rows: { killed: boolean }[] };
    expect(rows.filter((r) => r.killed).length).toBeGreaterThanOrEqual(2);
    // Committed while neither process is listening.
    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [seat] });

    for (const w of watchers) {
      const got = await w.next((m) => (m.event === 'seats' || m.event === 'snapshot') && statusIn(m, seat) === 'held', 10_000, 1);
      expect(Number(got.id)).toBe(1);
    }
    // And the new connection is live again.
    const next = st.seats[3].id;
    await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [next] });
    for (const w of watchers) await w.next(seatsEvent(next, 'held'), DELIVERY_MS);
  });

  it('re-snapshots a stream whose change could not be read (the database failed the step)', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
    const s = await stream(stack.baseUrl, st.id);
    await s.next((m) => m.event === 'snapshot');
    // Breaks the hub's read of seat_events (not the triggers' writes) for a moment.
    await stack.knex.raw('ALTER TABLE seat_events RENAME COLUMN layout TO layout_away');
    try {
      await insertReservation(stack.knex, { showtimeId: st.id, userId: user.id, seatIds: [st.seats[0].id] });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await stack.knex.raw('ALTER TABLE seat_events RENAME COLUMN layout_away TO layout');
    }
    const got = await s.next((m) => statusIn(m, st.seats[0].id) === 'held', 5_000, 1);
    expect(got).toMatchObject({ event: 'snapshot', id: '1' });
  });

  it('reloads the map when the catalog changes it: a seat out of service, a price; ends when the showtime is deleted', async () => {
    const admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 3 }] });
    const s = await stream(other.baseUrl, st.id);
    await s.next((m) => m.event === 'snapshot');

    const patched = await api.patch(`/auditoriums/${st.auditorium.id}/seats/${st.seats[2].id}`, { is_active: false }, { token: admin.token });
    expect(patched.status).toBe(200);
    const reloaded = await s.next((m) => m.event === 'snapshot' && m.id === '1', DELIVERY_MS);
    expect(reloaded.data.seats.map((x: { seat_id: number }) => x.seat_id)).toEqual([st.seats[0].id, st.seats[1].id]);
    // A resume across it cannot be a replay of seat changes.
    const resumed = await stream(stack.baseUrl, st.id, { 'Last-Event-ID': '0' });
    expect(await resumed.next(() => true)).toMatchObject({ event: 'snapshot', id: '1' });

    expect((await api.patch(`/showtimes/${st.id}`, { base_price: '12.50' }, { token: admin.token })).status).toBe(200);
    const repriced = await s.next((m) => m.event === 'snapshot' && m.id === '2', DELIVERY_MS);
    expect(repriced.data.seats[0].price).toBe('12.50');

    expect((await api.delete(`/showtimes/${st.id}`, { token: admin.token })).status).toBe(204);
    expect(await s.next((m) => m.event === 'end', DELIVERY_MS)).toMatchObject({ data: { reason: 'showtime_deleted' } });
    await s.ended;
  });

  it('answers 404, 422 and 204 (showtime started: EventSource stops) in the API shape', async () => {
    const missing = await api.get('/showtimes/999999999/seats/events');
    expect(missing).toMatchObject({ status: 404, body: { code: 'SHOWTIME_NOT_FOUND' } });
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 1 }] });
    const badHeader = await api.get(`/showtimes/${st.id}/seats/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(badHeader).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR', errors: [{ location: 'header', field: 'last-event-id' }] } });
    const badQuery = await api.get(`/showtimes/${st.id}/seats/events?last_event_id=-1`);
    expect(badQuery).toMatchObject({ status: 422, body: { code: 'VALIDATION_ERROR', errors: [{ location: 'query', field: 'last_event_id' }] } });

    const started = await createShowtime(stack.knex, { startsInMinutes: -1, rows: [{ row: 'A', seats: 1 }] });
    expect((await api.get(`/showtimes/${started.id}/seats/events`)).status).toBe(204);
  });

  it('ends the stream when the showtime starts, with an `end` event', async () => {
    const st = await createShowtime(stack.knex, { startsInMinutes: 2 / 60, rows: [{ row: 'A', seats: 1 }] });
    const s = await stream(stack.baseUrl, st.id);
    await s.next((m) => m.event === 'snapshot');
    expect(await s.next((m) => m.event === 'end', 6_000)).toMatchObject({ data: { reason: 'showtime_started' } });
    await s.ended;
    expect(Date.now()).toBeGreaterThanOrEqual(st.startsAt.getTime());
  });

  it('caps open streams per address (429 TOO_MANY_STREAMS) and sends heartbeats', async () => {
    const capped = await stack.startExtraApi({ seatEvents: { maxStreamsPerAddress: 2, heartbeatSeconds: 1 } });
    try {
      const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 1 }] });
      const a = await stream(capped.baseUrl, st.id);
      await stream(capped.baseUrl, st.id);
      const third = await apiClient(capped.baseUrl).get(`/showtimes/${st.id}/seats/events`);
      expect(third).toMatchObject({ status: 429, body: { code: 'TOO_MANY_STREAMS', detail: expect.any(String) } });
      expect(third.headers.get('retry-after')).toBeTruthy();

      await new Promise((r) => setTimeout(r, 1_300));
      expect(a.comments).toContain('heartbeat');

      // A closed stream frees its place.
      a.close();
      await new Promise((r) => setTimeout(r, 200));
      const again = await openSse(`${capped.baseUrl}/api/v1/showtimes/${st.id}/seats/events`);
      open.push(again);
      expect(again.status).toBe(200);
    } finally {
      for (const s of open.splice(0)) s.close();
      await capped.close();
    }
  });
});
