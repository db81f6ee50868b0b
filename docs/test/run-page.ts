import { readFile } from 'node:fs/promises';
import { startDocsServer } from './docs-server.js';
import { readPageSamples } from './markdown-blocks.js';
import { runBlock, SAMPLE_TIMEOUT_MS } from './sample-runner.js';

/** What running one page did. */
export interface PageRun {
  /** Runnable blocks run (all of them, when it resolves). */
  blocksRun: number;
}

/**
 * Runs a page's runnable blocks in order against a fresh server of its own (none when the page has
 * no runnable block), stopping at the first failure, which it throws naming the block's page:line.
 * Each block may run `timeoutMs` (30 s unless a test says otherwise).
 */
export async function runPage(pageFile: string, timeoutMs = SAMPLE_TIMEOUT_MS): Promise<PageRun> {
  const samples = readPageSamples(await readFile(pageFile, 'utf8'), pageFile);
  if (samples.blocks.length === 0) return { blocksRun: 0 };
  const server = await startDocsServer({ demo: samples.demo });
  try {
    for (const block of samples.blocks) await runBlock(pageFile, block, server.env, timeoutMs);
  } finally {
    await server.close();
  }
  return { blocksRun: samples.blocks.length };
}
