/** The text of every inline code span of a Markdown page, paired left to right as Markdown pairs them. */
export function codeSpans(page: string): string[] {
  return [...page.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] as string);
}

/**
 * The names a page does not write as a whole word inside a code span (`` `PORT` ``, `` `start --demo` ``):
 * what a reference page must mention in code, so that a test can tell when the code grew a name the
 * page lacks.
 */
export function missingFromPage(page: string, names: readonly string[]): string[] {
  const spans = codeSpans(page);
  return names.filter((name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    const word = new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`);
    return !spans.some((span) => word.test(span));
  });
}
