import type {
  Clause,
  FlagKind,
  JsonValue,
  Prerequisite,
  Reason,
  Rule,
  Serve,
  Target,
  Variant,
} from '@switchboard/core';
import type {
  CheckStatus,
  Comparison,
  Effect,
  PromotionCheck,
  PromotionCheckName,
  PromotionDecision,
  PromotionPolicy,
  PromotionShortfall,
  PromotionVerdict,
  SampleRatioMismatch,
} from '@switchboard/core/stats';

/** What the dashboard reads from the HTTP API (apps/server's *-schemas.ts), by hand: it talks HTTP only. */

export type {
  CheckStatus,
  Clause,
  Comparison,
  Effect,
  FlagKind,
  JsonValue,
  Prerequisite,
  PromotionCheck,
  PromotionCheckName,
  PromotionDecision,
  PromotionPolicy,
  PromotionShortfall,
  PromotionVerdict,
  Reason,
  Rule,
  SampleRatioMismatch,
  Serve,
  Target,
  Variant,
};

/** A flag's configuration in one environment (`environmentViewSchema`). */
export interface EnvironmentConfig {
  enabled: boolean;
  offVariant: string | null;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  prerequisites: Prerequisite[];
  retryAfterSeconds: number | null;
  /** ai-config flags: the variant also run, only measured, on a share of requests; null: none. */
  shadow?: ShadowConfig | null;
  version: number;
}

/** Shadow mode of a flag in one environment (`shadowSchema`): `sampleRate` in [0, 1]. */
export interface ShadowConfig {
  variant: string;
  sampleRate: number;
}

/** A flag with its configuration in every environment (`flagViewSchema`). */
export interface FlagView {
  project: string;
  key: string;
  name: string;
  description: string;
  kind: FlagKind;
  variants: Variant[];
  salt: string;
  tags: string[];
  changeType: string;
  archived: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  environments: Record<string, EnvironmentConfig>;
}

export interface Page<T, C = string> {
  items: T[];
  nextCursor?: C;
}

export interface Project {
  id: string;
  key: string;
  name: string;
  createdAt: string;
}

export interface Environment {
  id: string;
  key: string;
  name: string;
  version: number;
  createdAt: string;
}

export interface SegmentView {
  project: string;
  key: string;
  name: string;
  description: string;
  included: string[];
  excluded: string[];
  clauses: Clause[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type KeyKind = 'admin' | 'server' | 'client';

export interface ApiKeyView {
  id: string;
  name: string;
  kind: KeyKind;
  project: string | null;
  environment: string | null;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  resourceType: string;
  resourceKey: string;
  project: string | null;
  environment: string | null;
  flag: string | null;
  before: unknown;
  after: unknown;
}

/** Which step of evaluation decided (core's `DecidedBy`). */
export type DecidedBy =
  | 'context'
  | 'snapshot'
  | 'flag-not-found'
  | 'type-mismatch'
  | 'malformed-flag'
  | 'disabled'
  | 'prerequisite'
  | 'target'
  | 'rule'
  | 'fallthrough';

/** How one flag evaluated for a context (`POST /api/v1/evaluate` with `flag`). */
export interface Explanation {
  flag: string;
  result: {
    value?: unknown;
    variant?: string;
    reason: Reason;
    ruleId?: string;
    errorCode?: string;
    errorMessage?: string;
  };
  decidedBy: DecidedBy;
  prerequisites: {
    flag: string;
    requiredVariant: string;
    servedVariant?: string;
    reason?: string;
    met: boolean;
  }[];
  rules: {
    ruleId: string;
    matched: boolean;
    clauses: {
      index: number;
      attribute: string;
      op: string;
      negate: boolean;
      actual?: unknown;
      comparison: 'holds' | 'fails' | 'not-made';
      matched: boolean;
    }[];
  }[];
  unitId?: string;
  bucket?: number;
  bucketBy?: string;
}

/** One environment's snapshot (`GET /api/v1/sdk/snapshot`), as the evaluator reads it. */
export interface Snapshot {
  environment?: string;
  version?: number;
  flags: SnapshotFlag[];
  segments: unknown[];
}

export interface SnapshotFlag {
  key: string;
  kind: string;
  variants: Variant[];
  salt: string;
  tags?: string[];
  changeType?: string;
  enabled: boolean;
  offVariant?: string;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  prerequisites: Prerequisite[];
  version: number;
  retryAfterSeconds?: number;
}

// The results endpoints' shapes, as the server declares them (types only: nothing of the server is bundled).
export type {
  ExperimentResults,
  Quantiles,
  SeriesFigures,
  SeriesPoint,
  VariantComparison,
  VariantResult,
} from '../../../server/src/features/experiments/results-view.js';

/** A promotion policy as stored: any subset of the policy; null cost limits mean none (`PolicySettings`). */
export interface PolicySettings {
  minUnitsPerArm?: number;
  minDurationMs?: number;
  qualityDelta?: number;
  requireQualityFeedback?: boolean;
  maxP95LatencyIncreaseMs?: number;
  maxCostPerRequestUsd?: number | null;
  maxCostIncreaseRatio?: number | null;
  maxErrorRateIncrease?: number;
  maxFallbackRate?: number;
  srmThreshold?: number;
  alpha?: number;
  sequential?: boolean;
  sequentialTuningParameter?: number;
}

/** `GET|PUT /api/v1/flags/{key}/environments/{env}/policy` (`policyViewSchema`). */
export interface PolicyView {
  flag: string;
  environment: string;
  /** The control variant; null: chosen from the configuration. */
  control: string | null;
  settings: PolicySettings;
  /** The policy in force: the settings over the defaults. */
  policy: PromotionPolicy;
  version: number;
  updatedAt: string | null;
}
