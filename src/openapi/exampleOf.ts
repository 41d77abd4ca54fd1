type Json = Record<string, unknown>;

/** Realistic values by field name, used where they fit the field's schema. */
const BY_NAME: Record<string, unknown> = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  title: 'Metropolis',
  movie_title: 'Metropolis',
  poster_url: 'https://example.com/metropolis.jpg',
  description: 'A futuristic city, and the workers beneath it.',
  genre: 'sci-fi',
  rating: 'PG',
  label: 'A1',
  row: 'A',
  phone: '+44 20 7946 0958',
  access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3In0.signature',
  refresh_token: 'rt_2f1cQx0bVb7wq4GZ3h9kP1sA8dE6rT5yU2iO0pL3mN4',
  workflow_id: 'reservation-3f2b8c1e-9d4a-4e7b-8a6f-1c2d3e4f5a6b',
  payment_id: 'pi_3PqR7sT8uV9wX0yZ',
  payment_method: 'pm_card_visa',
  cancel_reason: 'customer called the box office',
  status: 'ok',
};
/** Optional fields worth showing filled in; any other nullable field is shown as null (a fresh hold has no payment yet). */
const SHOWN_WHEN_NULLABLE = new Set(['phone', 'description', 'genre', 'rating', 'poster_url']);
const STRING_CANDIDATES = ['12.50', 'A', '42', '+44 20 7946 0958', 'pm_card_visa'];
const BY_FORMAT: Record<string, string> = {
  'date-time': '2026-12-24T19:30:00+00:00',
  uuid: '3f2b8c1e-9d4a-4e7b-8a6f-1c2d3e4f5a6b',
  uri: 'https://example.com/poster.jpg',
  email: 'ada@example.com',
};

/**
 * An example value for a JSON Schema (as the document generates them), so every response shows
 * one: `$ref`s into `components` are followed, the first choice of an anyOf that is not null is
 * taken, and a field's name picks a realistic value when that value fits the schema.
 */
export function exampleOf(schema: unknown, components: Record<string, unknown>, name?: string): unknown {
  const s = (schema ?? {}) as Json;
  if (typeof s.$ref === 'string') return exampleOf(components[s.$ref.replace('#/components/schemas/', '')], components, name);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return name && s.enum.includes(BY_NAME[name]) ? BY_NAME[name] : s.enum[0];
  const nullable = (Array.isArray(s.type) && s.type.includes('null')) || (Array.isArray(s.anyOf) && (s.anyOf as Json[]).some((o) => o.type === 'null'));
  if (nullable && !(name && SHOWN_WHEN_NULLABLE.has(name))) return null;
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) {
      const options = s[key] as Json[];
      return exampleOf(options.find((o) => o.type !== 'null') ?? options[0], components, name);
    }
  }
  if (Array.isArray(s.allOf)) {
    return Object.assign({}, ...(s.allOf as unknown[]).map((part) => exampleOf(part, components, name)) as object[]);
  }
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(props).map(([key, value]) => [key, exampleOf(value, components, key)]));
    }
    case 'array': {
      const count = Math.max(1, Number(s.minItems ?? 1));
      return Array.from({ length: count }, () => exampleOf(s.items, components, name));
    }
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : 1;
      const max = typeof s.maximum === 'number' ? s.maximum : Number.MAX_SAFE_INTEGER;
      return Math.min(Math.max(min, name === 'duration_minutes' ? 120 : 1), max);
    }
    case 'boolean':
      return true;
    case 'string':
      return stringExample(s, name);
    case 'null':
      return null;
    default:
      return name && name in BY_NAME ? BY_NAME[name] : {};
  }
}

function stringExample(s: Json, name: string | undefined): string {
  if (typeof s.format === 'string' && BY_FORMAT[s.format]) return BY_FORMAT[s.format];
  const fits = (v: unknown): v is string =>
    typeof v === 'string' &&
    (typeof s.pattern !== 'string' || new RegExp(s.pattern, 'u').test(v)) &&
    v.length >= Number(s.minLength ?? 0) &&
    v.length <= Number(s.maxLength ?? Infinity);
  const named = name ? BY_NAME[name] : undefined;
  if (fits(named)) return named;
  if (typeof s.pattern !== 'string' && fits(name)) return name.replace(/_/g, ' ');
  const candidate = [...STRING_CANDIDATES, 'example'].find(fits);
  return candidate ?? 'x'.repeat(Math.max(1, Number(s.minLength ?? 1)));
}
