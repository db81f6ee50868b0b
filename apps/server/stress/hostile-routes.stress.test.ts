import { describeHostileRoutes, type HostileRoutesFigures } from './hostile-routes-scenario.js';
import { isFullStressRun, recordStressFigures } from './stress-results.js';

// The full run of the hostile paths, query strings and headers property (reduced in npm test by
// hostile-routes.stress-ci.test.ts).
const figures: HostileRoutesFigures[] = [];
describeHostileRoutes({ sqlite: 150, postgres: 25 }, (f) => {
  figures.push(f);
  if (isFullStressRun() && figures.length === 2) recordStressFigures('hostile-routes', { runs: figures });
});
