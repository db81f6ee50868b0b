/**
 * GitHub's heading anchors (as github-slugger makes them): lower case, everything but letters,
 * digits, marks, connector punctuation, spaces and hyphens dropped, each space a hyphen; the second
 * heading with a slug gets `-1`, the third `-2`, and so on.
 */
export class GithubSlugger {
  private readonly seen = new Map<string, number>();

  slug(text: string): string {
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    let count = this.seen.get(base) ?? 0;
    while (this.seen.has(slug)) {
      count += 1;
      slug = `${base}-${count}`;
    }
    this.seen.set(base, count);
    this.seen.set(slug, 0);
    return slug;
  }
}
