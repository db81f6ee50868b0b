import type { Code, Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';

/** Languages a runnable sample may be written in (the info string `ts run` or `sh run`). */
export const SAMPLE_LANGUAGES = ['ts', 'sh'] as const;
export type SampleLanguage = (typeof SAMPLE_LANGUAGES)[number];

/** A fenced block the docs test runs, with the output lines it must print. */
export interface RunnableBlock {
  language: SampleLanguage;
  code: string;
  /** 1-based line of the opening fence in the page. */
  line: number;
  /** Non-empty trimmed lines of the `text output` block right after it (each must appear in stdout). */
  expectedOutput: string[];
}

/** What the docs test reads from a page. */
export interface PageSamples {
  blocks: RunnableBlock[];
  /** The page asked for the demo's seeded flags with `<!-- docs-test: demo -->`. */
  demo: boolean;
}

const DEMO_MARKER = /<!--\s*docs-test:\s*demo\s*-->/;

/**
 * Reads a page's runnable blocks in document order. A block whose info string ends in `run` with a
 * language other than ts or sh, or a `text output` block that does not follow a runnable one, is a
 * mistake in the page and throws (naming the line), rather than being silently shown and never run.
 */
export function readPageSamples(markdown: string, pageName: string): PageSamples {
  const tree = fromMarkdown(markdown);
  const blocks: RunnableBlock[] = [];
  let previous: RunnableBlock | undefined;
  for (const node of codeBlocks(tree)) {
    const line = node.position?.start.line ?? 0;
    const words = (node.meta ?? '').split(/\s+/).filter((word) => word !== '');
    if (node.lang === 'text' && words.includes('output')) {
      if (previous === undefined) {
        throw new Error(`${pageName}:${line}: a \`text output\` block must follow a runnable block directly`);
      }
      previous.expectedOutput = node.value
        .split('\n')
        .map((text) => text.trim())
        .filter((text) => text !== '');
      previous = undefined;
      continue;
    }
    if (words.includes('run')) {
      if (!isSampleLanguage(node.lang)) {
        throw new Error(
          `${pageName}:${line}: runnable blocks are \`ts run\` or \`sh run\`, not \`${node.lang} run\``,
        );
      }
      previous = { language: node.lang, code: node.value, line, expectedOutput: [] };
      blocks.push(previous);
      continue;
    }
    previous = undefined;
  }
  return { blocks, demo: [...htmlNodes(tree)].some((html) => DEMO_MARKER.test(html)) };
}

function isSampleLanguage(lang: string | null | undefined): lang is SampleLanguage {
  return (SAMPLE_LANGUAGES as readonly string[]).includes(lang ?? '');
}

/** The raw HTML of the page (comments included), never what code spans or blocks show. */
function* htmlNodes(node: Nodes): Generator<string> {
  if (node.type === 'html') yield node.value;
  if ('children' in node) for (const child of node.children) yield* htmlNodes(child);
}

function* codeBlocks(node: Nodes): Generator<Code> {
  if (node.type === 'code') yield node;
  if ('children' in node) for (const child of node.children) yield* codeBlocks(child);
}
