import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the case files live. */
export const SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What a case expects of an evaluation result; see README.md for the meaning of each field. */
export interface CaseExpectation {
  value: unknown;
  variant: string | null;
  reason: string;
  ruleId?: string;
  errorCode?: string;
}

/** One evaluation to run and what it must give. */
export interface SpecCase {
  name: string;
  flag: string;
  context: unknown;
  default?: unknown;
  expect: CaseExpectation;
}

/** A pinned bucketing input and output. */
export interface BucketVector {
  salt: string;
  unitId: string;
  hash: number;
  bucket: number;
}

/** One case file, with the path it was read from. */
export interface CaseFile {
  path: string;
  title: string;
  description?: string;
  snapshot: { flags: unknown[]; segments: unknown[] };
  cases: SpecCase[];
  bucketVectors?: BucketVector[];
}

/**
 * Reads every case file listed in index.json, in order.
 *
 * @example
 * for (const file of loadCaseFiles()) for (const c of file.cases) run(file.snapshot, c);
 */
export function loadCaseFiles(): CaseFile[] {
  const index = JSON.parse(readFileSync(join(SPEC_DIR, 'index.json'), 'utf8')) as { files: string[] };
  return index.files.map((path) => ({
    path,
    ...(JSON.parse(readFileSync(join(SPEC_DIR, path), 'utf8')) as Omit<CaseFile, 'path'>),
  }));
}

/**
 * Puts an evaluation result in the shape of a case's `expect`: no variant becomes `null`, and
 * `ruleId`/`errorCode` appear only when set, so a runner can compare with `toEqual`.
 */
export function toExpectation(result: {
  value?: unknown;
  variant?: string | undefined;
  reason: string;
  ruleId?: string | undefined;
  errorCode?: string | undefined;
}): CaseExpectation {
  const expectation: CaseExpectation = {
    value: result.value,
    variant: result.variant ?? null,
    reason: result.reason,
  };
  if (result.ruleId !== undefined) expectation.ruleId = result.ruleId;
  if (result.errorCode !== undefined) expectation.errorCode = result.errorCode;
  return expectation;
}
