// Writes docs/reference/http-api.md from the server's OpenAPI document: `npm run docs:http-api`.
import { writeFile } from 'node:fs/promises';
import { HTTP_API_REFERENCE_FILE, readHttpRoutes, renderHttpApiReference } from './http-api-reference.js';

const { document, routes } = await readHttpRoutes();
await writeFile(
  new URL(`../${HTTP_API_REFERENCE_FILE}`, import.meta.url),
  renderHttpApiReference(document, routes),
);
console.log(`wrote ${HTTP_API_REFERENCE_FILE} (${routes.length} routes)`);
