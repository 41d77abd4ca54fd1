type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: unknown[];
  'x-required-roles'?: string[];
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: Json }[];
  requestBody?: { content: Record<string, { schema: Json; examples?: Record<string, { summary: string; value: unknown }> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: Json; examples?: Record<string, { value: unknown }> }> }>;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function typeOf(schema: Json | undefined): string {
  if (!schema) return '';
  if (typeof schema.$ref === 'string') return schema.$ref.replace('#/components/schemas/', '');
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.type === 'array') return `array of ${typeOf(schema.items as Json)}`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(typeOf).join(' or ');
  return `${String(schema.type ?? 'object')}${typeof schema.format === 'string' ? ` (${schema.format})` : ''}`;
}

function errorCodes(media: { schema?: Json } | undefined): string[] {
  const walk = (s: Json | undefined): string[] => {
    if (!s) return [];
    if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).flatMap(walk);
    if (Array.isArray(s.allOf)) return (s.allOf as Json[]).flatMap((part) => ((part.properties as Json | undefined)?.code as { enum?: string[] } | undefined)?.enum ?? []);
    return [];
  };
  return walk(media?.schema);
}

function whoMayCall(op: Operation): string {
  if (op.security.length === 0) return 'anyone';
  return op['x-required-roles'] ? `role ${op['x-required-roles'].join(' or ')}` : 'any signed-in user';
}

function renderOperation(method: string, path: string, op: Operation): string[] {
  const lines = [`### ${method.toUpperCase()} ${path}`, '', `**${op.summary}** (\`${op.operationId}\`; ${whoMayCall(op)})`, ''];
  if (op.description) lines.push(op.description, '');
  if (op.parameters?.length) {
    lines.push('| parameter | in | required | type | description |', '|---|---|---|---|---|');
    for (const p of op.parameters) lines.push(`| \`${p.name}\` | ${p.in} | ${p.required ? 'yes' : 'no'} | ${cell(typeOf(p.schema))} | ${cell(p.description ?? '')} |`);
    lines.push('');
  }
  const body = op.requestBody?.content['application/json'];
  if (body) {
    lines.push(`Body: \`${typeOf(body.schema)}\``, '');
    const [example] = Object.values(body.examples ?? {});
    if (example) lines.push('```json', JSON.stringify(example.value, null, 2), '```', '');
  }
  lines.push('| status | meaning | body |', '|---|---|---|');
  for (const [status, r] of Object.entries(op.responses)) {
    const media = Object.values(r.content ?? {})[0];
    const codes = Number(status) >= 400 ? errorCodes(media) : [];
    const what = codes.length ? codes.map((c) => `\`${c}\``).join(', ') : typeOf(media?.schema);
    lines.push(`| ${status} | ${cell(Number(status) >= 400 && codes.length ? r.description.split('; ').map((d) => d.replace(/^`[A-Z_]+`: /, '')).join('; ') : r.description)} | ${cell(what)} |`);
  }
  const success = Object.entries(op.responses).find(([status, r]) => Number(status) < 300 && r.content?.['application/json']?.examples);
  if (success) {
    const [example] = Object.values(success[1].content?.['application/json']?.examples ?? {});
    lines.push('', `Example ${success[0]}:`, '', '```json', JSON.stringify(example.value, null, 2), '```');
  }
  lines.push('');
  return lines;
}

/**
 * docs/api.md: the REST reference as Markdown, made from the OpenAPI document the API serves,
 * so the reference in the repository cannot drift from the code (test/docs.test.ts compares).
 */
export function renderRestReference(doc: Json): string {
  const info = doc.info as { title: string; version: string; description: string };
  const tags = doc.tags as { name: string; description: string }[];
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const lines = [
    `# ${info.title} ${info.version}: REST reference`,
    '',
    '<!-- Generated from the OpenAPI document by `npm run docs:api`; do not edit by hand. -->',
    '',
    info.description,
    '',
    'The same document is served at `/openapi.json` and browsable at `/docs` (Swagger UI). Paths under `/api/v1` need `Authorization: Bearer <access_token>` unless they say "anyone".',
    '',
  ];
  for (const tag of tags) {
    lines.push(`## ${tag.name}`, '', tag.description, '');
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(operations)) if (op.tags.includes(tag.name)) lines.push(...renderOperation(method, path, op));
    }
  }
  lines.push('## Schemas', '', 'The bodies named above. A field that is not required may be left out.', '');
  const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
  for (const [name, schema] of Object.entries(schemas)) {
    const props = schema.properties as Record<string, Json> | undefined;
    if (!props) continue;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    lines.push(`### ${name}`, '', '| field | type | required | description |', '|---|---|---|---|');
    for (const [field, s] of Object.entries(props)) lines.push(`| \`${field}\` | ${cell(typeOf(s))} | ${required.has(field) ? 'yes' : 'no'} | ${cell(String(s.description ?? ''))} |`);
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
