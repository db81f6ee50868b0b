import type { Operator } from '@switchboard/core';

/** What values an operator compares with, which decides how its values are typed in. */
export type OperatorValues =
  | 'scalars'
  | 'strings'
  | 'patterns'
  | 'numbers'
  | 'dates'
  | 'versions'
  | 'none'
  | 'segments';

export interface OperatorInfo {
  label: string;
  values: OperatorValues;
}

/** Every operator of the model (typed by core's Operator, so a new one cannot be forgotten here). */
export const OPERATORS: Readonly<Record<Operator, OperatorInfo>> = {
  in: { label: 'is one of', values: 'scalars' },
  equals: { label: 'equals', values: 'scalars' },
  contains: { label: 'contains', values: 'strings' },
  startsWith: { label: 'starts with', values: 'strings' },
  endsWith: { label: 'ends with', values: 'strings' },
  matches: { label: 'matches regex', values: 'patterns' },
  lt: { label: '<', values: 'numbers' },
  lte: { label: '≤', values: 'numbers' },
  gt: { label: '>', values: 'numbers' },
  gte: { label: '≥', values: 'numbers' },
  before: { label: 'is before (date)', values: 'dates' },
  after: { label: 'is after (date)', values: 'dates' },
  semverEq: { label: 'version =', values: 'versions' },
  semverLt: { label: 'version <', values: 'versions' },
  semverGt: { label: 'version >', values: 'versions' },
  exists: { label: 'exists', values: 'none' },
  inSegment: { label: 'is in segment', values: 'segments' },
};

export const OPERATOR_KEYS = Object.keys(OPERATORS) as Operator[];

/** Attributes most contexts have, offered while typing one. */
export const COMMON_ATTRIBUTES = [
  'targetingKey',
  'userId',
  'email',
  'country',
  'plan',
  'orgId',
  'appVersion',
];
