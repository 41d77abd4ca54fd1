import { createShowtime, createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

describe('POST /reservations: validation and idempotency', () => {
  let user: Awaited<ReturnType<typeof createUser>>;
  const { stack, api } = useTestStack();
  beforeAll(async () => {
    user = await createUser(stack.knex, stack.config.jwtSecret);
  });

  const reservationCount = async () => Number((await stack.knex('reservations').count({ c: '*' }))[0].c);
  const workflowCount = async (showtimeId: number) =>
    (await stack.client.workflow.count(`WorkflowType="reservationWorkflow" AND ShowtimeId=${showtimeId}`)).count;

  it.each([
    ['no body', undefined, 'body'],
    ['a missing showtime_id', { seat_ids: [1] }, 'showtime_id'],
    ['a string showtime_id', { showtime_id: '1', seat_ids: [1] }, 'showtime_id'],
    ['a negative seat id', { showtime_id: 1, seat_ids: [-1] }, 'seat_ids.0'],
    ['a fractional seat id', { showtime_id: 1, seat_ids: [1.5] }, 'seat_ids.0'],
    ['an overflowing id', { showtime_id: 1e20, seat_ids: [1] }, 'showtime_id'],
    ['no seats', { showtime_id: 1, seat_ids: [] }, 'seat_ids'],
    ['duplicate seats', { showtime_id: 1, seat_ids: [3, 3] }, 'seat_ids'],
    ['eleven seats', { showtime_id: 1, seat_ids: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, 'seat_ids'],
    ['seat_ids not a list', { showtime_id: 1, seat_ids: 'A1' }, 'seat_ids'],
  ])('answers 422 for %s and writes nothing', async (_name, body, field) => {
    const before = await reservationCount();
    const res = await api.post('/reservations', body, { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', detail: expect.any(String) });
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, location: 'body' })]));
    expect(await reservationCount()).toBe(before);
  });

  it('answers 400 for malformed JSON and 415 for another content type', async () => {
    expect((await api.post('/reservations', undefined, { token: user.token, raw: '{"showtime_id": 1,' })).body.code).toBe('MALFORMED_JSON');
    const res = await api.post('/reservations', undefined, { token: user.token, raw: 'showtime_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
  });

  it('answers 404 for an unknown showtime or seat, 422 for a seat of another auditorium, an inactive seat or a started show', async () => {
    const show = await createShowtime(stack.knex);
    const elsewhere = await createShowtime(stack.knex);
    const before = await reservationCount();

    const noShow = await api.post('/reservations', { showtime_id: 2_000_000_000, seat_ids: [show.seats[0].id] }, { token: user.token });
    expect(noShow.status).toBe(404);
    expect(noShow.body.code).toBe('SHOWTIME_NOT_FOUND');

    const noSeat = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id, 2_000_000_000] }, { token: user.token });
    expect(noSeat.status).toBe(404);
    expect(noSeat.body).toMatchObject({ code: 'SEAT_NOT_FOUND', seat_ids: [2_000_000_000] });

    const foreign = await api.post('/reservations', { showtime_id: show.id, seat_ids: [elsewhere.seats[0].id] }, { token: user.token });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ code: 'SEAT_NOT_IN_AUDITORIUM', seat_ids: [elsewhere.seats[0].id] });

    await stack.knex('seats').where({ id: show.seats[3].id }).update({ is_active: false });
    const broken = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[3].id] }, { token: user.token });
    expect(broken.status).toBe(422);
    expect(broken.body.code).toBe('SEAT_INACTIVE');

    const started = await createShowtime(stack.knex, { startsInMinutes: -5 });
    const late = await api.post('/reservations', { showtime_id: started.id, seat_ids: [started.seats[0].id] }, { token: user.token });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('SHOWTIME_STARTED');

    await stack.knex('showtimes').where({ id: elsewhere.id }).update({ is_deleted: true });
    const deleted = await api.post('/reservations', { showtime_id: elsewhere.id, seat_ids: [elsewhere.seats[0].id] }, { token: user.token });
    expect(deleted.status).toBe(404);

    expect(await reservationCount()).toBe(before);
    expect(await workflowCount(show.id)).toBe(0);
  });

  it('answers 409 SEAT_UNAVAILABLE naming the taken seats, without reaching Temporal', async () => {
    const show = await createShowtime(stack.knex);
    const [a, b, c] = show.seats.map((s) => s.id);
    expect((await api.post('/reservations', { showtime_id: show.id, seat_ids: [a, b] }, { token: user.token })).status).toBe(201);
    const other = await createUser(stack.knex, stack.config.jwtSecret);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [c, b] }, { token: other.token });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'SEAT_UNAVAILABLE', seat_ids: [b] });
    expect(await workflowCount(show.id)).toBe(1);
  });

  it('a repeated POST with the same Idempotency-Key returns the same reservation and holds nothing twice', async () => {
    const show = await createShowtime(stack.knex);
    const body = { showtime_id: show.id, seat_ids: [show.seats[0].id, show.seats[1].id] };
    const headers = { 'idempotency-key': `key-${show.id}` };
    const first = await api.post('/reservations', body, { token: user.token, headers });
    const second = await api.post('/reservations', { ...body, seat_ids: [...body.seat_ids].reverse() }, { token: user.token, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 1 }]);
    expect(await workflowCount(show.id)).toBe(1);

    // The same key from another user is another reservation (and here, a conflict on the seats).
    const other = await createUser(stack.knex, stack.config.jwtSecret);
    expect((await api.post('/reservations', body, { token: other.token, headers })).status).toBe(409);

    const reused = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[2].id] }, { token: user.token, headers });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const badKey = await api.post('/reservations', body, { token: user.token, headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(badKey.status).toBe(422);
    expect(badKey.body.errors[0]).toMatchObject({ location: 'header' });
  });

  it('concurrent retries with one Idempotency-Key make one reservation', async () => {
    const show = await createShowtime(stack.knex);
    const body = { showtime_id: show.id, seat_ids: [show.seats[4].id] };
    const headers = { 'idempotency-key': `race-${show.id}` };
    const results = await Promise.all(Array.from({ length: 8 }, () => api.post('/reservations', body, { token: user.token, headers })));
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.every((r) => r.status === 201 || (r.status === 409 && r.body.code === 'IDEMPOTENT_REQUEST_IN_PROGRESS'))).toBe(true);
    expect(await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' })).toEqual([{ c: 1 }]);
  });

  it('answers 404 for a malformed reservation id and 401 without a token', async () => {
    expect((await api.get('/reservations/not-a-uuid', { token: user.token })).status).toBe(404);
    expect((await api.post('/reservations/1/cancel', undefined, { token: user.token })).status).toBe(404);
    expect((await api.get('/reservations/00000000-0000-4000-8000-000000000000', { token: user.token })).status).toBe(404);
    const anon = await api.post('/reservations', { showtime_id: 1, seat_ids: [1] });
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
