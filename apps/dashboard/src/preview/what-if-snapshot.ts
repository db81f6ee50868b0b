import type { EnvironmentConfig, FlagView, Snapshot, SnapshotFlag } from '../api/api-types.js';
import type { TargetingPatch } from '../targeting/targeting-draft.js';

/** The flag as the evaluator would see it with this targeting in this environment. */
export function snapshotFlagOf(
  flag: FlagView,
  config: EnvironmentConfig,
  targeting: TargetingPatch,
): SnapshotFlag {
  return {
    key: flag.key,
    kind: flag.kind,
    variants: flag.variants,
    salt: flag.salt,
    tags: flag.tags,
    changeType: flag.changeType,
    enabled: config.enabled,
    ...(targeting.offVariant === null ? {} : { offVariant: targeting.offVariant }),
    targets: targeting.targets,
    rules: targeting.rules,
    fallthrough: targeting.fallthrough,
    prerequisites: targeting.prerequisites,
    version: 0,
    ...(config.retryAfterSeconds === null ? {} : { retryAfterSeconds: config.retryAfterSeconds }),
  };
}

/** The stored snapshot with this flag's draft in place of the stored flag (a what-if). */
export function withDraft(stored: Snapshot, flag: SnapshotFlag): Snapshot {
  return { ...stored, flags: [...stored.flags.filter((f) => f.key !== flag.key), flag] };
}
