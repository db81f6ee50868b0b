import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS_DIR, listDocsPages } from './docs-pages.js';
import { LinkChecker } from './link-checker.js';
import { REPO_ROOT } from './sample-runner.js';

const README = join(REPO_ROOT, 'README.md');
const INDEX = join(DOCS_DIR, 'README.md');

describe('docs links', () => {
  const checker = new LinkChecker(REPO_ROOT);
  const pages = listDocsPages();

  it('resolves every relative link and #anchor of the docs pages', () => {
    const found = pages.map((page) => checker.links(page));
    // Listed for a reviewer, never fetched: the tests run offline.
    const external = found.flatMap((links) => links.external);
    console.log(`external links in docs/ (not fetched):\n${external.join('\n') || '(none)'}`);
    expect(checker.broken(found.flatMap((links) => links.relative))).toEqual([]);
  });

  it("resolves the repository README's links into docs/, and links the docs index", () => {
    const intoDocs = checker.links(README).relative.filter((link) => link.target.startsWith(`${DOCS_DIR}/`));
    expect(checker.broken(intoDocs)).toEqual([]);
    expect(intoDocs.map((link) => link.target)).toContain(INDEX);
  });

  it('reaches every page from docs/README.md', () => {
    const reached = checker.reachable(INDEX, DOCS_DIR);
    expect(pages.filter((page) => !reached.has(page)).map((page) => relative(REPO_ROOT, page))).toEqual([]);
  });
});

describe('link checker', () => {
  it('reports missing pages, missing anchors and absolute links, and follows good ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'switchboard-links-'));
    try {
      await mkdir(join(root, 'guides'));
      await writeFile(
        join(root, 'index.md'),
        [
          '# Index',
          '[good](guides/a.md#second-part) [self](#index) [gone](guides/gone.md)',
          '[bad anchor](guides/a.md#nope) [absolute](/guides/a.md) [web](https://example.com)',
        ].join('\n'),
      );
      await writeFile(join(root, 'guides/a.md'), '# A\n## Second part\n');
      await writeFile(join(root, 'guides/orphan.md'), '# Orphan\n');
      const checker = new LinkChecker(root);
      const links = checker.links(join(root, 'index.md'));
      expect(links.external).toEqual(['index.md:3 https://example.com']);
      expect(checker.broken(links.relative)).toEqual([
        'index.md:2 guides/gone.md: guides/gone.md does not exist',
        'index.md:3 guides/a.md#nope: no heading in guides/a.md has the anchor #nope',
        'index.md:3 /guides/a.md: links between pages are relative, not absolute',
      ]);
      expect(
        [...checker.reachable(join(root, 'index.md'), root)].map((page) => relative(root, page)),
      ).toEqual(['index.md', 'guides/a.md']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
