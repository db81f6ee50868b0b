// Writes docs/reference/cli.md from the CLI's commander definitions: `npm run docs:cli`.
import { writeFile } from 'node:fs/promises';
import { CLI_REFERENCE_FILE, renderCliReference } from './cli-reference.js';

await writeFile(new URL(`../${CLI_REFERENCE_FILE}`, import.meta.url), renderCliReference());
console.log(`wrote ${CLI_REFERENCE_FILE}`);
