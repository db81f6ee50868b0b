import type { Clause } from '@switchboard/core';
import type { SegmentView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { type ClauseDraft, clauseDraftOf, clauseOf } from '../targeting/targeting-draft.js';

/** A segment as edited. */
export interface SegmentDraft {
  key: string;
  name: string;
  description: string;
  included: string;
  excluded: string;
  clauses: ClauseDraft[];
}

export function segmentDraftOf(segment: SegmentView | undefined): SegmentDraft {
  return {
    key: segment?.key ?? '',
    name: segment?.name ?? '',
    description: segment?.description ?? '',
    included: segment?.included.join('\n') ?? '',
    excluded: segment?.excluded.join('\n') ?? '',
    clauses: segment?.clauses.map(clauseDraftOf) ?? [],
  };
}

export function sameSegmentDraft(a: SegmentDraft, b: SegmentDraft): boolean {
  const plain = (d: SegmentDraft) => JSON.stringify(d, (key, value) => (key === 'uid' ? undefined : value));
  return plain(a) === plain(b);
}

const ids = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The body a draft sends (without key and version), and the problems found before sending. */
export function segmentBodyOf(draft: SegmentDraft): {
  body: Record<string, unknown>;
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  const clauses: Clause[] = draft.clauses.map((c, i) => clauseOf(c, `body.clauses.${i}`, problems));
  return {
    body: {
      ...(draft.name.trim() === '' ? {} : { name: draft.name.trim() }),
      description: draft.description.trim(),
      included: ids(draft.included),
      excluded: ids(draft.excluded),
      clauses,
    },
    problems,
  };
}
