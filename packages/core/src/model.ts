/**
 * The flag model of DESIGN.md §2, as the evaluator sees it.
 *
 * A {@link Snapshot} is one environment's view: every flag's definition merged with its
 * configuration in that environment, plus the segments. The server builds it, the SDK streams it,
 * and {@link evaluate} reads it. Everything here is plain JSON so that any language can produce it.
 */

/** A JSON value, as stored in variants and read from contexts. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The kinds of flag; a variant's value must be of its flag's kind. */
export const FlagKind = {
  Boolean: 'boolean',
  String: 'string',
  Number: 'number',
  Json: 'json',
  AiConfig: 'ai-config',
} as const;
/** One of {@link FlagKind}'s values. */
export type FlagKind = (typeof FlagKind)[keyof typeof FlagKind];

/** What kind of change a flag rolls out; rollout presets are chosen by it. */
export const ChangeType = {
  ModelSwap: 'model-swap',
  Prompt: 'prompt',
  Tool: 'tool',
  Parameters: 'parameters',
  AgentWorkflow: 'agent-workflow',
  Other: 'other',
} as const;
/** One of {@link ChangeType}'s values. */
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];

/** One possible value of a flag. */
export interface Variant {
  key: string;
  value: JsonValue;
  name?: string;
  description?: string;
}

/** The clause operators of DESIGN.md §2. */
export const Operator = {
  In: 'in',
  Equals: 'equals',
  Contains: 'contains',
  StartsWith: 'startsWith',
  EndsWith: 'endsWith',
  Matches: 'matches',
  Lt: 'lt',
  Lte: 'lte',
  Gt: 'gt',
  Gte: 'gte',
  Before: 'before',
  After: 'after',
  SemverEq: 'semverEq',
  SemverLt: 'semverLt',
  SemverGt: 'semverGt',
  Exists: 'exists',
  InSegment: 'inSegment',
} as const;
/** One of {@link Operator}'s values. */
export type Operator = (typeof Operator)[keyof typeof Operator];

/**
 * A condition on one context attribute. A clause matches when the attribute compares true with
 * any of `values`. A comparison that cannot be made (missing attribute, wrong type, unknown segment,
 * invalid pattern) never matches, negated or not; `negate` inverts only a comparison that was made.
 */
export interface Clause {
  attribute: string;
  op: Operator;
  values: JsonValue[];
  negate?: boolean;
}

/** One entry of a split: a variant and its weight in units of 0.001% (all weights total 100000). */
export interface WeightedVariant {
  variant: string;
  weight: number;
}

/** What a rule, the fallthrough or a target serves: one variant, or a weighted split. */
export type Serve = { variant: string } | { split: WeightedVariant[]; bucketBy?: string };

/** An ordered rule: when every clause matches, it serves. Rules are tried in order; the first match wins. */
export interface Rule {
  id: string;
  description?: string;
  clauses: Clause[];
  serve: Serve;
}

/** Units (by unit id: `targetingKey`, else `userId`) served one variant directly, before any rule. */
export interface Target {
  variant: string;
  values: string[];
}

/** The flag `flag` must serve `variant` (and be neither disabled nor failing its own prerequisites) for this flag to go on. */
export interface Prerequisite {
  flag: string;
  variant: string;
}

/**
 * Shadow mode: on a share of requests, the variant `variant` also runs, in the background, on the
 * same input as the served one; it is measured and never shown. Only ai-config flags have one.
 */
export interface FlagShadow {
  /** One of the flag's variants; requests already assigned it are not shadowed. */
  variant: string;
  /** The share of requests, in [0, 1], that also run the shadow variant. */
  sampleRate: number;
}

/** A flag's configuration in one environment. */
export interface FlagEnvironment {
  enabled: boolean;
  /** Served when the flag is disabled or a prerequisite fails; absent means the caller's default. */
  offVariant?: string;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  prerequisites: Prerequisite[];
  /** Increments on every change of this configuration. */
  version: number;
  /** How long callers are told to wait when the flag is off as a kill switch (default 300). */
  retryAfterSeconds?: number;
  /**
   * The variant run beside the served one on sampled requests (see {@link shadowOf}). Informational
   * for evaluators: evaluation ignores it, so it never changes what a flag serves.
   */
  shadow?: FlagShadow | null;
}

/** A flag's definition, shared by all environments. */
export interface FlagDefinition {
  key: string;
  kind: FlagKind;
  variants: Variant[];
  /** Random, fixed at creation: editing a flag never re-buckets anyone. */
  salt: string;
  tags?: string[];
  changeType?: ChangeType;
  description?: string;
  archived?: boolean;
}

/** A flag as the evaluator reads it: its definition plus its configuration in the snapshot's environment. */
export interface SnapshotFlag extends FlagDefinition, FlagEnvironment {}

/**
 * A reusable group of units. A unit is in the segment when its unit id is not in `excluded`, and
 * either its unit id is in `included` or `clauses` is non-empty and every clause matches: `excluded`
 * always wins.
 */
export interface Segment {
  key: string;
  name?: string;
  description?: string;
  included: string[];
  excluded: string[];
  clauses: Clause[];
  version?: number;
}

/** One environment's flags and segments, as delivered to evaluators. */
export interface Snapshot {
  environment?: string;
  /** Increments whenever any flag or segment of the environment changes. */
  version?: number;
  flags: SnapshotFlag[];
  segments: Segment[];
}

/**
 * The attributes of whoever is being evaluated. `targetingKey` (or, failing it, `userId`) is the
 * unit id used for individual targets and, by default, for bucketing.
 */
export interface EvaluationContext {
  targetingKey?: string;
  [attribute: string]: unknown;
}

/** Weights of a split are in these units: 100000 is 100%. */
export const BUCKET_SCALE = 100_000;

/** Retry-after given to callers of a killed flag when the flag does not set one. */
export const DEFAULT_RETRY_AFTER_SECONDS = 300;
