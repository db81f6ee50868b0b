import { describeHostileRoutes } from './hostile-routes-scenario.js';

// Reduced for `npm test`: a few requests per route and dialect; the full run is
// hostile-routes.stress.test.ts (`npm run test:stress`).
describeHostileRoutes({ sqlite: 5, postgres: 2 });
