import { describe, expect, it } from 'vitest';
import { codeSpans, missingFromPage } from './code-spans.js';

describe('missingFromPage', () => {
  it('reports a name the page lacks, and not one it has', () => {
    const page =
      'Use `PORT` to choose, or `switchboard start --port 8080`; HOST is not code, `--demo-rate` is another flag.';
    expect(missingFromPage(page, ['PORT', '--port', 'HOST', 'POR', '--demo'])).toEqual([
      'HOST',
      'POR',
      '--demo',
    ]);
  });

  it('pairs code spans from the left, so text between two spans is not code', () => {
    expect(codeSpans('`a` b `c`')).toEqual(['a', 'c']);
  });
});
