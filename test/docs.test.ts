import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from '../src/openapi/document';
import { renderRestReference } from '../scripts/docs/restReference';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const MARKDOWN = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The docs in the repository: the REST reference is the served document's, and no link is dead. */
describe('docs', () => {
  it('docs/api.md is the REST reference generated from the current OpenAPI document (npm run docs:api)', () => {
    // The showtime example is "tomorrow evening", so its date moves every day: compare the rest.
    const undated = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}T19:30:00Z/g, '<tomorrow>T19:30:00Z');
    const current = undated(renderRestReference(buildOpenApiDocument()));
    const committed = undated(read('docs/api.md'));
    // On failure: run `npm run docs:api` and commit docs/api.md.
    expect(committed === current ? 'up to date' : 'stale: run npm run docs:api').toBe('up to date');
    expect(committed).toContain('### GET /api/v1/users');
    expect(committed).toContain('`SEAT_UNAVAILABLE`');
  });

  it('links only files that exist, from the README and every page under docs/', () => {
    const dead: string[] = [];
    for (const file of MARKDOWN) {
      for (const [, target] of read(file).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.resolve(path.dirname(path.join(ROOT, file)), target))) dead.push(`${file}: ${target}`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('the README points at the design and the reference under docs/, not at files outside the repository', () => {
    const readme = read('README.md');
    expect(readme).toContain('[docs/design.md](docs/design.md)');
    expect(readme).toContain('[docs/api.md](docs/api.md)');
    expect(readme).not.toMatch(/`(DESIGN|API)\.md`/);
    expect(readme).not.toContain('cancel signal ignored');
  });
});
