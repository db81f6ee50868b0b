import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:stress`: the slow proofs of issue 9 (crash loops, 10,000 streams, sustained load),
// one file at a time so they do not measure each other. Their figures go to bench/results/stress.json.
// Reduced versions of the same scenarios run in `npm test` (files named *.stress-ci.test.ts).
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ['apps/*/stress/**/*.stress.test.ts'],
      fileParallelism: false,
      testTimeout: 20 * 60_000,
      hookTimeout: 5 * 60_000,
      env: { SWITCHBOARD_STRESS: 'full' },
    },
  }),
);
