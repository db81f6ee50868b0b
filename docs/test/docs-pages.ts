import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './sample-runner.js';

/** The docs folder. */
export const DOCS_DIR = join(REPO_ROOT, 'docs');

/** Folders under docs/ that hold no pages: the runner's own code and its written-out samples. */
const NOT_PAGES = new Set(['test', '.samples']);

/** Every page under docs/, as absolute paths, sorted. */
export function listDocsPages(): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!(dir === DOCS_DIR && NOT_PAGES.has(entry.name))) walk(join(dir, entry.name));
      } else if (entry.name.endsWith('.md')) {
        pages.push(join(dir, entry.name));
      }
    }
  };
  walk(DOCS_DIR);
  return pages.sort();
}

/** A page's name relative to docs/ (`guides/server-sdk.md`), the form `DOCS_ONLY` takes. */
export function pageName(file: string): string {
  return relative(DOCS_DIR, file).split('\\').join('/');
}
