import { countRows, minutesFromNow, postAuditorium, postMovie, postShowtime, uniqueToken } from './helpers/catalog';
import { createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

describe('catalog: movies', () => {
  let admin: string;
  let user: string;
  const { stack, api } = useTestStack({ worker: false });
  beforeAll(async () => {
    admin = (await createUser(stack.knex, stack.config.jwtSecret, 'admin')).token;
    user = (await createUser(stack.knex, stack.config.jwtSecret, 'user')).token;
  });

  const moviesTitled = (title: string) => countRows(stack.knex, 'movies', (q) => q.where({ title }));

  describe('POST /movies', () => {
    it('creates a movie: 201 with every field, a Location and timestamps with offset', async () => {
      const body = {
        title: `  Arrival ${uniqueToken()} `,
        description: 'Linguist meets heptapods.',
        duration_minutes: 116,
        genre: 'Sci-Fi',
        rating: 'PG-13',
        poster_url: 'https://img.example.test/arrival.jpg',
      };
      const res = await api.post('/movies', body, { token: admin });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        ...body,
        title: body.title.trim(),
        created_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      });
      expect(res.headers.get('location')).toBe(`/api/v1/movies/${res.body.id}`);
      expect((await api.get(`/movies/${res.body.id}`)).body).toEqual(res.body);
    });

    it('needs only title and duration; the optional fields come back as null', async () => {
      const res = await api.post('/movies', { title: `Minimal ${uniqueToken()}`, duration_minutes: 90, genre: null }, { token: admin });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ description: null, genre: null, rating: null, poster_url: null, duration_minutes: 90 });
    });

    it.each([
      ['no title', { duration_minutes: 90 }, 'title'],
      ['a blank title', { title: '   ', duration_minutes: 90 }, 'title'],
      ['a title over 200 characters', { title: 'x'.repeat(201), duration_minutes: 90 }, 'title'],
      ['no duration', { title: 'T' }, 'duration_minutes'],
      ['duration 0', { title: 'T', duration_minutes: 0 }, 'duration_minutes'],
      ['duration over a day', { title: 'T', duration_minutes: 1441 }, 'duration_minutes'],
      ['a fractional duration', { title: 'T', duration_minutes: 90.5 }, 'duration_minutes'],
      ['a duration as a string', { title: 'T', duration_minutes: '90' }, 'duration_minutes'],
      ['a non-http poster URL', { title: 'T', duration_minutes: 90, poster_url: 'javascript:alert(1)' }, 'poster_url'],
      ['a genre that is not a string', { title: 'T', duration_minutes: 90, genre: 7 }, 'genre'],
      ['a NUL character, which Postgres text cannot hold', { title: 'T', duration_minutes: 90, description: 'a\u0000b' }, 'description'],
    ])('refuses %s: 422 VALIDATION_ERROR naming the field, nothing stored', async (_case, body, field) => {
      const title = `Invalid ${uniqueToken()}`;
      const sent = { ...body, ...('title' in body && body.title === 'T' ? { title } : {}) };
      const res = await api.post('/movies', sent, { token: admin });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', detail: expect.any(String) });
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', field })]));
      expect(await moviesTitled(title)).toBe(0);
    });

    it('answers 405 for a method the resource does not have', async () => {
      const res = await api.request('PUT', '/movies/1', { title: 'x' }, { token: admin });
      expect(res.status).toBe(405);
      expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    });

    it('refuses a body that is not an object, and malformed JSON (400)', async () => {
      expect((await api.post('/movies', [1, 2], { token: admin })).status).toBe(422);
      const malformed = await api.post('/movies', undefined, { token: admin, raw: '{"title": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ detail: expect.any(String), code: 'MALFORMED_JSON' });
    });

    it('is for admins only: 401 without or with a bad token, 403 for a user; nothing stored', async () => {
      const title = `Forbidden ${uniqueToken()}`;
      const none = await api.post('/movies', { title, duration_minutes: 90 });
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ detail: expect.any(String), code: 'UNAUTHORIZED' });
      expect((await api.post('/movies', { title, duration_minutes: 90 }, { token: 'not-a-jwt' })).status).toBe(401);
      const asUser = await api.post('/movies', { title, duration_minutes: 90 }, { token: user });
      expect(asUser.status).toBe(403);
      expect(asUser.body.code).toBe('FORBIDDEN');
      expect(await moviesTitled(title)).toBe(0);
    });
  });

  describe('GET /movies/:id', () => {
    it('is public; an unknown id is 404 MOVIE_NOT_FOUND, a malformed one 422', async () => {
      const movie = await postMovie(api, admin);
      expect((await api.get(`/movies/${movie.id}`)).status).toBe(200);
      const missing = await api.get('/movies/2147483000');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ detail: expect.any(String), code: 'MOVIE_NOT_FOUND' });
      for (const bad of ['abc', '0', '-3', '1.5', '99999999999']) {
        const res = await api.get(`/movies/${bad}`);
        expect(res.status).toBe(422);
        expect(res.body.errors[0]).toMatchObject({ location: 'path', field: 'id' });
      }
    });
  });

  describe('PATCH /movies/:id', () => {
    it('changes only the fields sent; null clears an optional field', async () => {
      const movie = await postMovie(api, admin, { genre: 'Drama', rating: 'R' });
      const res = await api.patch(`/movies/${movie.id}`, { duration_minutes: 95, genre: null }, { token: admin });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: movie.id, title: movie.title, duration_minutes: 95, genre: null, rating: 'R' });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(res.body.created_at));
      expect((await api.get(`/movies/${movie.id}`)).body).toEqual(res.body);
    });

    it('refuses an empty or invalid change with 422 and changes nothing', async () => {
      const movie = await postMovie(api, admin);
      for (const body of [{}, { unknown_field: 1 }, { title: null }, { duration_minutes: -5 }, { title: '' }]) {
        const res = await api.patch(`/movies/${movie.id}`, body, { token: admin });
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
      expect((await api.get(`/movies/${movie.id}`)).body).toMatchObject({ title: movie.title, duration_minutes: 100 });
    });

    it('is 404 for an unknown movie, 401/403 for non-admins', async () => {
      const movie = await postMovie(api, admin);
      expect((await api.patch('/movies/2147483000', { title: 'x' }, { token: admin })).body.code).toBe('MOVIE_NOT_FOUND');
      expect((await api.patch(`/movies/${movie.id}`, { title: 'x' })).status).toBe(401);
      expect((await api.patch(`/movies/${movie.id}`, { title: 'x' }, { token: user })).status).toBe(403);
      expect((await api.get(`/movies/${movie.id}`)).body.title).toBe(movie.title);
    });
  });

  describe('DELETE /movies/:id', () => {
    it('soft-deletes: 204, then 404 everywhere and hidden from the list, the row kept', async () => {
      const tag = uniqueToken();
      const movie = await postMovie(api, admin, { title: `Doomed ${tag}` });
      const res = await api.delete(`/movies/${movie.id}`, { token: admin });
      expect(res.status).toBe(204);
      expect((await api.get(`/movies/${movie.id}`)).status).toBe(404);
      expect((await api.patch(`/movies/${movie.id}`, { title: 'back' }, { token: admin })).status).toBe(404);
      expect((await api.delete(`/movies/${movie.id}`, { token: admin })).status).toBe(404);
      expect((await api.get(`/movies?q=${tag}`)).body).toMatchObject({ items: [], total: 0 });
      expect(await stack.knex('movies').where({ id: movie.id }).first('is_deleted')).toEqual({ is_deleted: true });
    });

    it('refuses while the movie has upcoming showtimes: 409 MOVIE_HAS_SHOWTIMES, movie untouched', async () => {
      const movie = await postMovie(api, admin);
      const auditorium = await postAuditorium(api, admin);
      await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id });
      const res = await api.delete(`/movies/${movie.id}`, { token: admin });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'MOVIE_HAS_SHOWTIMES', detail: expect.any(String), showtime_count: 1 });
      expect((await api.get(`/movies/${movie.id}`)).status).toBe(200);
    });

    it('allows it when the only showtimes are past or deleted', async () => {
      const movie = await postMovie(api, admin);
      const auditorium = await postAuditorium(api, admin);
      const upcoming = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: minutesFromNow(3 * 24 * 60) });
      expect((await api.delete(`/showtimes/${upcoming.id}`, { token: admin })).status).toBe(204);
      // A showtime that has already ended, written directly: the API does not schedule in the past.
      const past = new Date(Date.now() - 2 * 24 * 3600_000);
      await stack.knex('showtimes').insert({
        movie_id: movie.id,
        auditorium_id: auditorium.id,
        starts_at: past,
        ends_at: new Date(past.getTime() + 115 * 60_000),
        base_price: '10.00',
      });
      expect((await api.delete(`/movies/${movie.id}`, { token: admin })).status).toBe(204);
    });

    it('is for admins only and 404 for an unknown movie', async () => {
      const movie = await postMovie(api, admin);
      expect((await api.delete(`/movies/${movie.id}`)).status).toBe(401);
      expect((await api.delete(`/movies/${movie.id}`, { token: user })).status).toBe(403);
      expect((await api.delete('/movies/2147483000', { token: admin })).body.code).toBe('MOVIE_NOT_FOUND');
      expect((await api.get(`/movies/${movie.id}`)).status).toBe(200);
    });
  });

  describe('GET /movies', () => {
    it('searches titles case-insensitively by substring', async () => {
      const tag = uniqueToken();
      const a = await postMovie(api, admin, { title: `The ${tag} Returns` });
      const b = await postMovie(api, admin, { title: `${tag.toUpperCase()} Begins` });
      await postMovie(api, admin, { title: `Unrelated ${uniqueToken()}` });
      const res = await api.get(`/movies?q=${encodeURIComponent(tag.toUpperCase().slice(2))}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.body.items.map((m: { id: number }) => m.id).sort()).toEqual([a.id, b.id].sort());
      expect(res.body.items[0]).toEqual(expect.objectContaining({ id: expect.any(Number), title: expect.any(String), duration_minutes: 100 }));
    });

    it('matches %, _ and \\ in the search term literally', async () => {
      const tag = uniqueToken();
      const percent = await postMovie(api, admin, { title: `${tag} 100% Pure` });
      await postMovie(api, admin, { title: `${tag} 1000 Pure` });
      const underscore = await postMovie(api, admin, { title: `${tag} a_b` });
      await postMovie(api, admin, { title: `${tag} axb` });
      const backslash = await postMovie(api, admin, { title: `${tag} c\\d` });
      const search = async (q: string) => (await api.get(`/movies?q=${encodeURIComponent(q)}`)).body.items.map((m: { id: number }) => m.id);
      expect(await search(`${tag} 100%`)).toEqual([percent.id]);
      expect(await search(`${tag} a_b`)).toEqual([underscore.id]);
      expect(await search(`${tag} c\\d`)).toEqual([backslash.id]);
      expect(await search(`${tag} 100`)).toHaveLength(2);
    });

    it('filters by genre case-insensitively, combined with q', async () => {
      const genre = `Genre-${uniqueToken()}`;
      const tag = uniqueToken();
      const horror = await postMovie(api, admin, { title: `${tag} Night`, genre });
      await postMovie(api, admin, { title: `${tag} Day`, genre: 'Comedy' });
      const byGenre = await api.get(`/movies?genre=${genre.toUpperCase()}`);
      expect(byGenre.body).toMatchObject({ total: 1, items: [{ id: horror.id, genre }] });
      expect((await api.get(`/movies?q=${tag}&genre=comedy`)).body.total).toBe(1);
      expect((await api.get(`/movies?q=${tag}&genre=${genre}-other`)).body.total).toBe(0);
    });

    it('treats an empty q as no filter and refuses an over-long one', async () => {
      expect((await api.get('/movies?q=&genre=')).status).toBe(200);
      const res = await api.get(`/movies?q=${'x'.repeat(101)}`);
      expect(res.status).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ location: 'query', field: 'q' });
      expect((await api.get('/movies?q=%00')).status).toBe(422);
      expect((await api.get('/movies?q=a&q=b')).status).toBe(422);
    });

    it('paginates {items, page, page_size, total} in title order, with the edges', async () => {
      const genre = `Paged-${uniqueToken()}`;
      const titles = ['Echo', 'alpha', 'Delta', 'charlie', 'Bravo'].map((t) => `${t} ${uniqueToken()}`);
      for (const title of titles) await postMovie(api, admin, { title, genre });
      const ordered = [...titles].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase()));

      const first = await api.get(`/movies?genre=${genre}&page=1&page_size=2`);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ page: 1, page_size: 2, total: 5 });
      expect(first.body.items.map((m: { title: string }) => m.title)).toEqual(ordered.slice(0, 2));
      const last = await api.get(`/movies?genre=${genre}&page=3&page_size=2`);
      expect(last.body.items.map((m: { title: string }) => m.title)).toEqual(ordered.slice(4));
      expect((await api.get(`/movies?genre=${genre}&page=4&page_size=2`)).body).toEqual({ items: [], page: 4, page_size: 2, total: 5 });

      const defaults = await api.get(`/movies?genre=${genre}`);
      expect(defaults.body).toMatchObject({ page: 1, page_size: 20, total: 5 });
      expect((await api.get(`/movies?genre=${genre}&page_size=100`)).body).toMatchObject({ page_size: 100, total: 5 });
      for (const query of ['page_size=101', 'page=0', 'page=-1', 'page=abc', 'page_size=0', 'page=1.5']) {
        const res = await api.get(`/movies?${query}`);
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', errors: [expect.objectContaining({ location: 'query' })] });
      }
    });
  });
});
