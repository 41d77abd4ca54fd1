import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildOpenApiDocument } from '../src/openapi/document';

const run = promisify(execFile);
const REDOCLY = path.join(__dirname, '..', 'node_modules', '.bin', 'redocly');
/**
 * The root endpoints answer no 4xx at all, so there is none to document; nor does the tickets'
 * public key, which takes no input and is public.
 */
const ROOT_WITHOUT_4XX = ['/healthz', '/docs', '/openapi.json', '/metrics', '/api/v1/tickets/public-key'];

interface Problem {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer: string }[];
}

type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown; examples?: unknown; example?: unknown }> }> };

/** The OpenAPI document under `redocly lint`'s recommended rules, and what the rules do not check. */
describe('the OpenAPI document, linted', () => {
  const doc = buildOpenApiDocument();
  const operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${p}`, op })));

  it('has no errors and no warnings under the recommended rules (but a 4xx on the root endpoints)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'openapi-lint-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc, null, 2));
      // redocly exits non-zero on errors; the JSON report is on stdout either way.
      const { stdout } = await run(REDOCLY, ['lint', '--extends', 'recommended', '--format', 'json', file], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch(
        (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
      );
      const report = JSON.parse(stdout) as { problems: Problem[] };
      const allowed = (p: Problem) =>
        p.ruleId === 'operation-4xx-response' && ROOT_WITHOUT_4XX.some((root) => p.location[0]?.pointer === `#/paths/${root.replace(/\//g, '~1')}/get/responses`);
      expect(report.problems.filter((p) => !allowed(p)).map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('shows an example on every response that has a body', () => {
    const missing = operations.flatMap(({ name, op }) =>
      Object.entries(op.responses).flatMap(([status, r]) =>
        Object.entries(r.content ?? {})
          .filter(([, media]) => media.examples === undefined && media.example === undefined)
          .map(([type]) => `${name} ${status} ${type}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('lists the error codes of each error answer as an enum', () => {
    const codesOf = (schema: unknown): string[] => {
      const s = schema as { allOf?: { properties?: { code?: { enum?: string[] } } }[]; anyOf?: unknown[] };
      if (s.anyOf) return s.anyOf.flatMap(codesOf);
      return s.allOf?.flatMap((part) => part.properties?.code?.enum ?? []) ?? [];
    };
    const login = (doc.paths as Record<string, Record<string, Operation>>)['/api/v1/auth/login'].post;
    expect(codesOf(login.responses['401'].content?.['application/json'].schema)).toEqual(['INVALID_CREDENTIALS']);
    const problems = operations.flatMap(({ name, op }) =>
      Object.entries(op.responses)
        // The health check's 503 is its own body (which part is down), not the error shape.
        .filter(([status]) => Number(status) >= 400 && !(name === 'GET /healthz' && status === '503'))
        .filter(([, r]) => codesOf(r.content?.['application/json']?.schema).length === 0)
        .map(([status]) => `${name} ${status}`),
    );
    expect(problems).toEqual([]);
  });
});
