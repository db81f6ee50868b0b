import type { Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { GithubSlugger } from './github-slug.js';

/** A link in a page, where it is. */
export interface PageLink {
  url: string;
  line: number;
}

/** A page's links and the anchors other pages may link to. */
export interface PageOutline {
  links: PageLink[];
  /** Heading slugs as GitHub makes them, plus explicit `<a id>`/`<a name>` anchors. */
  anchors: Set<string>;
}

const HTML_ANCHOR = /<a\s[^>]*\b(?:id|name)="([^"]+)"/g;

/** Reads the links (inline, reference definitions, images) and anchors of a Markdown page. */
export function readOutline(markdown: string): PageOutline {
  const tree = fromMarkdown(markdown);
  const links: PageLink[] = [];
  const anchors = new Set<string>();
  const slugger = new GithubSlugger();
  const visit = (node: Nodes) => {
    if (node.type === 'link' || node.type === 'definition' || node.type === 'image') {
      links.push({ url: node.url, line: node.position?.start.line ?? 0 });
    }
    if (node.type === 'heading') anchors.add(slugger.slug(plainText(node)));
    if (node.type === 'html')
      for (const match of node.value.matchAll(HTML_ANCHOR)) anchors.add(match[1] ?? '');
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(tree);
  return { links, anchors };
}

/** A heading's text as GitHub slugs it: the text and inline code, without markup or HTML. */
function plainText(node: Nodes): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if (node.type === 'html') return '';
  if ('children' in node) return node.children.map(plainText).join('');
  return '';
}

/** Whether a link leaves the repository (listed, never fetched). */
export function isExternal(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url);
}
