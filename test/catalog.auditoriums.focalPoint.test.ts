import { countRows, postMovie, postShowtime, uniqueToken } from './helpers/catalog';
import { createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

/** An auditorium's own focal point: stored, shown, validated, and where best-available holds start. */
describe('auditoriums: the focal point', () => {
  const { stack, api } = useTestStack();
  let admin: string;
  beforeAll(async () => {
    admin = (await createUser(stack.knex, stack.config.jwtSecret, 'admin')).token;
  });
  const rows = ['A', 'B', 'C', 'D'].map((row) => ({ row, seats: 10 }));
  const named = () => `Focal ${uniqueToken()}`;

  it('is stored as given (row label upper-cased, a half between two seats), shown on GET and in the list; absent means null', async () => {
    const res = await api.post('/auditoriums', { name: named(), rows, focal_point: { row: 'd', seat: 7.5 } }, { token: admin });
    expect(res.status).toBe(201);
    expect(res.body.focal_point).toEqual({ row: 'D', seat: 7.5 });
    expect((await api.get(`/auditoriums/${res.body.id}`)).body.focal_point).toEqual({ row: 'D', seat: 7.5 });
    const page = await api.get('/auditoriums?page_size=100');
    expect(page.body.items.find((a: { id: number }) => a.id === res.body.id)?.focal_point).toEqual({ row: 'D', seat: 7.5 });

    const plain = await api.post('/auditoriums', { name: named(), rows }, { token: admin });
    expect(plain.body.focal_point).toBeNull();
    const explicitNull = await api.post('/auditoriums', { name: named(), rows, focal_point: null }, { token: admin });
    expect(explicitNull.body.focal_point).toBeNull();
  });

  it.each([
    ['a row the auditorium does not have', { row: 'Q', seat: 3 }, 'focal_point.row'],
    ['a seat beyond the end of its row', { row: 'B', seat: 11 }, 'focal_point.seat'],
    ['seat 0', { row: 'B', seat: 0 }, 'focal_point.seat'],
    ['a seat that is neither a number nor a half', { row: 'B', seat: 3.3 }, 'focal_point.seat'],
    ['a seat given as a string', { row: 'B', seat: '3' }, 'focal_point.seat'],
    ['no seat', { row: 'B' }, 'focal_point.seat'],
    ['a malformed row', { row: 'B1', seat: 3 }, 'focal_point.row'],
  ])('answers 422 for %s and creates nothing', async (_name, focal_point, field) => {
    const name = named();
    const res = await api.post('/auditoriums', { name, rows, focal_point }, { token: admin });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', detail: expect.any(String) });
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, location: 'body' })]));
    expect(await countRows(stack.knex, 'auditoriums', (q) => q.where({ name }))).toBe(0);
  });

  it('is kept whole and sensible by the database too', async () => {
    const insert = (focal: { focal_row: string | null; focal_seat: string | null }) => stack.knex('auditoriums').insert({ name: named(), ...focal });
    await expect(insert({ focal_row: 'A', focal_seat: null })).rejects.toThrow(/auditoriums_focal_point_valid/);
    await expect(insert({ focal_row: null, focal_seat: '3' })).rejects.toThrow(/auditoriums_focal_point_valid/);
    await expect(insert({ focal_row: 'A', focal_seat: '0.5' })).rejects.toThrow(/auditoriums_focal_point_valid/);
    await expect(insert({ focal_row: 'A', focal_seat: '3.2' })).rejects.toThrow(/auditoriums_focal_point_valid/);
    await expect(insert({ focal_row: 'A', focal_seat: '3.5' })).resolves.toBeDefined();
  });

  it('is where best-available holds start, and the hall fills outward from it', async () => {
    const auditorium = (await api.post('/auditoriums', { name: named(), rows, focal_point: { row: 'D', seat: 7.5 } }, { token: admin })).body;
    const movie = await postMovie(api, admin);
    const showtime = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id });
    const labels: string[] = [];
    for (let i = 0; i < 2; i++) {
      const buyer = await createUser(stack.knex, stack.config.jwtSecret);
      const res = await api.post('/reservations', { showtime_id: showtime.id, quantity: 2 }, { token: buyer.token });
      expect(res.status).toBe(201);
      labels.push(res.body.seats.map((s: { label: string }) => s.label).join('-'));
    }
    // The back row, right of centre; then a row forward, straight ahead (the default would start at B5-B6).
    expect(labels).toEqual(['D7-D8', 'C7-C8']);
  });
});
