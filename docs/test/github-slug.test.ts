import { describe, expect, it } from 'vitest';
import { GithubSlugger } from './github-slug.js';
import { readOutline } from './markdown-links.js';

describe('GitHub anchors', () => {
  it('slugs headings as GitHub does', () => {
    const slugger = new GithubSlugger();
    expect(slugger.slug('Quick start')).toBe('quick-start');
    expect(slugger.slug('What `switchboard kill` does (and why)')).toBe('what-switchboard-kill-does-and-why');
    expect(slugger.slug('POST /api/v1/flags')).toBe('post-apiv1flags');
    expect(slugger.slug('Évaluation & bucketing')).toBe('évaluation--bucketing');
    expect(slugger.slug('snake_case stays')).toBe('snake_case-stays');
  });

  it('numbers repeated headings', () => {
    const slugger = new GithubSlugger();
    expect(['Options', 'Options', 'Options-1', 'Options'].map((text) => slugger.slug(text))).toEqual([
      'options',
      'options-1',
      'options-1-1',
      'options-2',
    ]);
  });

  it("reads a page's links and anchors, code excluded", () => {
    const outline = readOutline(
      [
        '# The *first* [heading](x.md)',
        '<a id="kept"></a>',
        'See [keys](../operations/keys.md#create-a-key) and [ref][r].',
        '',
        '```md',
        '[not a link](nowhere.md)',
        '```',
        '',
        '[r]: ./reference/cli.md',
      ].join('\n'),
    );
    expect([...outline.anchors].sort()).toEqual(['kept', 'the-first-heading']);
    expect(outline.links.map((link) => `${link.line} ${link.url}`)).toEqual([
      '1 x.md',
      '3 ../operations/keys.md#create-a-key',
      '9 ./reference/cli.md',
    ]);
  });
});
