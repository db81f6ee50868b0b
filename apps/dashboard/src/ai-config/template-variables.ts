/**
 * `{{name}}` or `{{ name }}`; a name may be a dotted path (`{{user.plan}}`). The same pattern as the
 * renderer's (packages/llm/src/render-ai-config.ts): template-variables.test.ts checks they agree.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*\}\}/g;

/** The variables a prompt's messages use, each once, in the order they first appear. */
export function variablesOf(messages: readonly { content: string }[]): string[] {
  const seen = new Set<string>();
  for (const { content } of messages) {
    for (const match of content.matchAll(PLACEHOLDER)) if (match[1] !== undefined) seen.add(match[1]);
  }
  return [...seen];
}
