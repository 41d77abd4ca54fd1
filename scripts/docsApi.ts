import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument } from '../src/openapi/document';
import { renderRestReference } from './docs/restReference';

/** `npm run docs:api`: rewrites docs/api.md from the OpenAPI document. */
const target = path.join(__dirname, '..', 'docs', 'api.md');
writeFileSync(target, renderRestReference(buildOpenApiDocument()));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
