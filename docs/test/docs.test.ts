import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from './concurrency-limit.js';
import { listDocsPages, pageName } from './docs-pages.js';
import { readPageSamples } from './markdown-blocks.js';
import { runPage } from './run-page.js';

// One page per core at most: each page is a server plus child processes, and CI has 2 cores.
const limit = concurrencyLimit(Math.max(1, Math.min(2, availableParallelism())));

// DOCS_ONLY=guides/server-sdk.md runs one page (a path relative to docs/).
const only = process.env.DOCS_ONLY;
const pages = listDocsPages().filter((file) => only === undefined || pageName(file) === only);

// Waiting for a turn counts against a test's time; each sample has its own 30 s limit.
const PAGE_TIMEOUT_MS = 600_000;

describe('docs samples', () => {
  it('finds the pages to run', () => {
    expect(
      pages.length,
      only === undefined ? 'no pages under docs/' : `DOCS_ONLY=${only} matches no page`,
    ).toBeGreaterThan(0);
  });

  for (const file of pages) {
    const samples = countSamples(file);
    it.concurrent(
      samples === 0 ? `${pageName(file)} has no runnable samples` : `${pageName(file)} runs every sample`,
      async () => {
        // runPage throws, naming the failing block's page:line (a malformed page included).
        if (samples !== 0) await limit(() => runPage(file));
      },
      PAGE_TIMEOUT_MS,
    );
  }
});

/** The page's runnable blocks, or -1 when it cannot be read (its test then runs and reports why). */
function countSamples(file: string): number {
  try {
    return readPageSamples(readFileSync(file, 'utf8'), file).blocks.length;
  } catch {
    return -1;
  }
}
