/** How many users got each value, overall and split by whether the rule matches them. */
export interface Distribution {
  users: number;
  served: Record<string, number>;
  /** Users the rule matches (enterprise in eu/us). */
  ruleUsers: number;
  /** Of those, how many were served the rule's variant. */
  ruleUsersServedRule: number;
  /** Users the rule does not match: the split decides for them. */
  splitUsers: number;
  splitServed: Record<string, number>;
  /** Sum of the served values' lengths: every timed run must reproduce it. */
  checksum: number;
}

/** What one engine's process sends back to `run.ts`. */
export interface EngineReport {
  engine: string;
  version: string;
  call: string;
  kind: 'sync' | 'async';
  /** ns per evaluation of each measured run, in run order. */
  runsNs: number[];
  /** Checksums of the measured runs; each must equal `distribution.checksum`. */
  runChecksums: number[];
  distribution: Distribution;
  /** Set by run.ts when it merges several rounds: each round's median, in round order. */
  roundMediansNs?: number[];
}
