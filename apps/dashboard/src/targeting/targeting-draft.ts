import type { Clause, Operator, Prerequisite, Rule, Serve, Target, WeightedVariant } from '@switchboard/core';
import type { EnvironmentConfig, JsonValue } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { OPERATORS } from '../model/operators.js';
import { evenSplit, totalOf, WEIGHT_TOTAL } from '../model/weights.js';

/** How the values of an `in`/`equals` clause are typed: the evaluator compares them strictly. */
export type ScalarType = 'string' | 'number' | 'boolean';

/** A clause as edited: its values as text, one per line, until saved. */
export interface ClauseDraft {
  uid: string;
  attribute: string;
  op: Operator;
  valuesText: string;
  valueType: ScalarType;
  negate: boolean;
}

/** What a rule or the fallthrough serves, keeping both choices while the user switches between them. */
export interface ServeDraft {
  mode: 'variant' | 'split';
  variant: string;
  split: WeightedVariant[];
  bucketBy: string;
}

export interface RuleDraft {
  uid: string;
  /** Kept for saved rules, so their id (in previews, audit entries and results) never changes. */
  id: string | undefined;
  description: string;
  clauses: ClauseDraft[];
  serve: ServeDraft;
}

export interface TargetDraft {
  uid: string;
  variant: string;
  valuesText: string;
}

export interface PrerequisiteDraft extends Prerequisite {
  uid: string;
}

/** A flag's targeting in one environment, as edited. */
export interface TargetingDraft {
  offVariant: string | null;
  targets: TargetDraft[];
  rules: RuleDraft[];
  fallthrough: ServeDraft;
  prerequisites: PrerequisiteDraft[];
}

/** The part of an environment patch the targeting editor writes. */
export type TargetingPatch = Pick<
  EnvironmentConfig,
  'offVariant' | 'targets' | 'rules' | 'fallthrough' | 'prerequisites'
>;

let lastUid = 0;
/** A key for React lists that survives reordering. */
export function newUid(): string {
  lastUid += 1;
  return `d${lastUid}`;
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

export function newClause(): ClauseDraft {
  return { uid: newUid(), attribute: '', op: 'in', valuesText: '', valueType: 'string', negate: false };
}

export function clauseDraftOf(
  clause: Pick<Clause, 'op' | 'values' | 'negate'> & { attribute?: string },
): ClauseDraft {
  const types = new Set(clause.values.map((v) => typeof v));
  return {
    uid: newUid(),
    attribute: clause.attribute ?? '',
    op: clause.op,
    valuesText: clause.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n'),
    valueType:
      types.size === 1 && (types.has('number') || types.has('boolean'))
        ? types.has('number')
          ? 'number'
          : 'boolean'
        : 'string',
    negate: clause.negate === true,
  };
}

export function serveDraftOf(serve: Serve, variants: readonly string[]): ServeDraft {
  if ('split' in serve) {
    return {
      mode: 'split',
      variant: variants[0] ?? '',
      split: serve.split.map((e) => ({ ...e })),
      bucketBy: serve.bucketBy ?? '',
    };
  }
  return { mode: 'variant', variant: serve.variant, split: evenSplit(variants), bucketBy: '' };
}

export function newRule(variants: readonly string[]): RuleDraft {
  return {
    uid: newUid(),
    id: undefined,
    description: '',
    clauses: [newClause()],
    serve: serveDraftOf({ variant: variants[0] ?? '' }, variants),
  };
}

/** The draft of a stored configuration. */
export function draftOf(config: EnvironmentConfig, variants: readonly string[]): TargetingDraft {
  return {
    offVariant: config.offVariant,
    targets: config.targets.map((t) => ({
      uid: newUid(),
      variant: t.variant,
      valuesText: t.values.join('\n'),
    })),
    rules: config.rules.map((r) => ({
      uid: newUid(),
      id: r.id,
      description: r.description ?? '',
      clauses: r.clauses.map(clauseDraftOf),
      serve: serveDraftOf(r.serve, variants),
    })),
    fallthrough: serveDraftOf(config.fallthrough, variants),
    prerequisites: config.prerequisites.map((p) => ({ uid: newUid(), ...p })),
  };
}

/** Whether two drafts say the same thing (list keys aside). */
export function sameDraft(a: TargetingDraft, b: TargetingDraft): boolean {
  const plain = (d: TargetingDraft) => JSON.stringify(d, (key, value) => (key === 'uid' ? undefined : value));
  return plain(a) === plain(b);
}

/** A clause's values, typed for its operator, or the problems with them. */
export function clauseOf(draft: ClauseDraft, at: string, problems: FieldProblem[]): Clause {
  const kind = OPERATORS[draft.op].values;
  if (kind !== 'segments' && draft.attribute.trim() === '') {
    problems.push({ field: `${at}.attribute`, message: `is required for ${draft.op}` });
  }
  const texts = kind === 'none' ? [] : lines(draft.valuesText);
  if (kind !== 'none' && texts.length === 0) {
    problems.push({
      field: `${at}.values`,
      message: `${OPERATORS[draft.op].label} needs at least one value`,
    });
  }
  const values: JsonValue[] = texts.map((text, i) => {
    const number = Number(text);
    const numeric = Number.isFinite(number) && text !== '';
    if (kind === 'numbers' || (kind === 'scalars' && draft.valueType === 'number')) {
      if (!numeric)
        problems.push({ field: `${at}.values.${i}`, message: `${JSON.stringify(text)} is not a number` });
      return number;
    }
    if (kind === 'scalars' && draft.valueType === 'boolean') {
      if (text !== 'true' && text !== 'false')
        problems.push({
          field: `${at}.values.${i}`,
          message: `${JSON.stringify(text)} is not true or false`,
        });
      return text === 'true';
    }
    // Dates may be epoch milliseconds as well as RFC 3339 text.
    if (kind === 'dates' && /^\d+$/.test(text)) return number;
    return text;
  });
  return {
    ...(kind === 'segments' ? {} : { attribute: draft.attribute.trim() }),
    op: draft.op,
    values,
    ...(draft.negate ? { negate: true } : {}),
  } as Clause;
}

export function serveOf(draft: ServeDraft, at: string, problems: FieldProblem[]): Serve {
  if (draft.mode === 'variant') {
    if (draft.variant === '') problems.push({ field: `${at}.variant`, message: 'choose a variant' });
    return { variant: draft.variant };
  }
  const total = totalOf(draft.split);
  if (total !== WEIGHT_TOTAL)
    problems.push({ field: `${at}.split`, message: `weights total ${total / 1000}%, not 100%` });
  const bucketBy = draft.bucketBy.trim();
  return { split: draft.split.map((e) => ({ ...e })), ...(bucketBy === '' ? {} : { bucketBy }) };
}

/**
 * The patch a draft makes, with the problems found before sending it (named like the server's, so
 * both show at the same fields). For a preview, new rules get a temporary id.
 */
export function patchOf(
  draft: TargetingDraft,
  options: { preview?: boolean } = {},
): { patch: TargetingPatch; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const targets: Target[] = draft.targets.map((t, i) => {
    const values = lines(t.valuesText);
    if (values.length === 0)
      problems.push({ field: `body.targets.${i}.values`, message: 'list at least one unit id' });
    return { variant: t.variant, values };
  });
  const rules = draft.rules.map((r, i) => {
    const at = `body.rules.${i}`;
    const id = r.id ?? (options.preview ? `draft-${r.uid}` : undefined);
    return {
      ...(id === undefined ? {} : { id }),
      ...(r.description.trim() === '' ? {} : { description: r.description.trim() }),
      clauses: r.clauses.map((c, j) => clauseOf(c, `${at}.clauses.${j}`, problems)),
      serve: serveOf(r.serve, `${at}.serve`, problems),
    };
  }) as Rule[];
  const prerequisites = draft.prerequisites.map(({ flag, variant }, i) => {
    if (flag === '') problems.push({ field: `body.prerequisites.${i}.flag`, message: 'choose a flag' });
    else if (variant === '')
      problems.push({ field: `body.prerequisites.${i}.variant`, message: 'choose a variant' });
    return { flag, variant };
  });
  return {
    patch: {
      offVariant: draft.offVariant,
      targets,
      rules,
      fallthrough: serveOf(draft.fallthrough, 'body.fallthrough', problems),
      prerequisites,
    },
    problems,
  };
}
