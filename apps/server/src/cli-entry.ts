// The CLI from source, for development and tests: node --conditions=switchboard-source --import tsx src/cli-entry.ts
// (bin/switchboard.js runs the built dist/cli.js).
import { runCli } from './cli.js';

await runCli(process.argv);
