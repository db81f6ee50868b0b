import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isExternal, type PageOutline, readOutline } from './markdown-links.js';

/** A link of a page, resolved to the file it points at. */
export interface ResolvedLink {
  /** page:line of the link, relative to the root. */
  from: string;
  url: string;
  /** The file it points at (the page itself for `#anchor`). */
  target: string;
  anchor: string | undefined;
}

/** Resolves the links of Markdown pages inside one repository and says which are broken. */
export class LinkChecker {
  private readonly outlines = new Map<string, PageOutline>();

  constructor(private readonly root: string) {}

  /** The page's relative links (resolved), and its external ones as `page:line url`. */
  links(page: string): { relative: ResolvedLink[]; external: string[] } {
    const links: ResolvedLink[] = [];
    const external: string[] = [];
    for (const { url, line } of this.outline(page).links) {
      const from = `${relative(this.root, page)}:${line}`;
      if (isExternal(url)) {
        external.push(`${from} ${url}`);
        continue;
      }
      const hash = url.indexOf('#');
      const path = decodeURIComponent(hash === -1 ? url : url.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(url.slice(hash + 1));
      const target =
        path === '' ? page : path.startsWith('/') ? join(this.root, path) : resolve(dirname(page), path);
      links.push({ from, url, target, anchor });
    }
    return { relative: links, external };
  }

  /** `page:line url: why` for each broken link of these, or nothing. */
  broken(links: readonly ResolvedLink[]): string[] {
    return links.flatMap((link) => {
      const why = this.problem(link);
      return why === undefined ? [] : [`${link.from} ${link.url}: ${why}`];
    });
  }

  private problem(link: ResolvedLink): string | undefined {
    if (link.url.startsWith('/')) return 'links between pages are relative, not absolute';
    if (!existsSync(link.target)) return `${relative(this.root, link.target)} does not exist`;
    if (link.anchor === undefined) return undefined;
    if (!link.target.endsWith('.md') || statSync(link.target).isDirectory()) {
      // GitHub's line anchors into source files.
      return /^L\d+(-L\d+)?$/.test(link.anchor) ? undefined : `#${link.anchor}: not a Markdown page`;
    }
    return this.outline(link.target).anchors.has(link.anchor)
      ? undefined
      : `no heading in ${relative(this.root, link.target)} has the anchor #${link.anchor}`;
  }

  /** The pages reachable from `start` through relative links to Markdown files under `within`. */
  reachable(start: string, within: string): Set<string> {
    const reached = new Set([start]);
    const queue = [start];
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      for (const link of this.links(page).relative) {
        const target = link.target;
        if (
          target.endsWith('.md') &&
          target.startsWith(`${within}/`) &&
          existsSync(target) &&
          !reached.has(target)
        ) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    return reached;
  }

  private outline(file: string): PageOutline {
    let found = this.outlines.get(file);
    if (found === undefined) {
      found = readOutline(readFileSync(file, 'utf8'));
      this.outlines.set(file, found);
    }
    return found;
  }
}
