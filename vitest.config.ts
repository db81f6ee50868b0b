import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the "switchboard-source" condition,
// so tests always run the code as written, never a stale build.
const conditions = ['switchboard-source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  // Not 'module' or 'import' here: CommonJS packages (pg) would then require an ES module namespace.
  ssr: {
    resolve: {
      conditions: ['switchboard-source', 'node', 'default'],
      externalConditions: ['switchboard-source'],
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'apps/*/stress/**/*.stress-ci.test.ts',
      'docs/test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    // Two test files at a time on CI's two cores: most files wait on servers, browsers and databases.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
