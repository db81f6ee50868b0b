/**
 * The benchmark flag (flag.ts) in Switchboard's terms, stated once for every bench that creates it:
 * the in-process evaluation engine, and the servers created through the HTTP API.
 */
import type { Rule, Serve, Variant } from '@switchboard/core';
import { RULE, SPLIT, VARIANTS } from './flag.js';

/** Weights are in units of 0.001%, so one percent is this many. */
const WEIGHT_PER_PERCENT = 1_000;

export const SWITCHBOARD_VARIANTS: Variant[] = VARIANTS.map((key) => ({ key, value: key }));

/** The rule and the split, as `PATCH /api/v1/flags/:key/environments/:env` and snapshots take them. */
export const SWITCHBOARD_TARGETING: { rules: Rule[]; fallthrough: Serve } = {
  rules: [
    {
      id: 'enterprise-eu-us',
      clauses: [
        { attribute: 'tier', op: 'equals', values: [RULE.tier] },
        { attribute: 'region', op: 'in', values: [...RULE.regions] },
      ],
      serve: { variant: RULE.serve },
    },
  ],
  fallthrough: {
    split: SPLIT.map(({ variant, percent }) => ({ variant, weight: percent * WEIGHT_PER_PERCENT })),
  },
};
