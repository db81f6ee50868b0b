import type { Clause } from '@switchboard/core';
import type { Executor } from '../../db/store-helpers.js';

/** A segment as stored: reusable across the flags and environments of its project. */
export interface SegmentRecord {
  id: string;
  projectId: string;
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

/**
 * Segments of a project. Keys MUST be unique within a project (a duplicate insert fails with a unique
 * violation). `update` and `remove` MUST apply only when the stored version equals the expected one
 * and report whether they applied; `update` MUST increment the version by one. Lists MUST be ordered
 * by key. `lockProject` MUST make any other transaction's `lockProject` of the same project wait until
 * `tx` ends, so that the segment writes of a project run one at a time and each one's reference and
 * cycle checks see every committed segment.
 */
export interface SegmentStore {
  insert(tx: Executor, segment: SegmentRecord): Promise<void>;
  find(projectId: string, key: string, tx?: Executor): Promise<SegmentRecord | undefined>;
  list(projectId: string, tx?: Executor): Promise<SegmentRecord[]>;
  update(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: Partial<Pick<SegmentRecord, 'name' | 'description' | 'included' | 'excluded' | 'clauses'>>,
    at: string,
  ): Promise<boolean>;
  remove(tx: Executor, id: string, expectedVersion: number): Promise<boolean>;
  lockProject(tx: Executor, projectId: string): Promise<void>;
}
