/**
 * One engine's process: `node --conditions=switchboard-source --import tsx --expose-gc eval/engine-worker.ts <engine> [users]`.
 * Builds the users and the engine's contexts, checks what it serves, times it, and sends an
 * `EngineReport` to the parent over IPC.
 */
import { isEngineName, loadEngine } from './engine-registry.js';
import type { EngineReport } from './engine-report.js';
import { distributionOf, measure } from './measure.js';
import { packageVersion } from './package-version.js';
import { generateUsers, USER_COUNT } from './users.js';

const [name = '', userCountArgument] = process.argv.slice(2);
if (!isEngineName(name)) throw new Error(`unknown engine "${name}"`);
const send = process.send?.bind(process);
if (!send) throw new Error('engine-worker.ts runs as a child of run.ts (it reports over IPC)');

const engine = await loadEngine(name);
const users = generateUsers(userCountArgument ? Number(userCountArgument) : USER_COUNT);
const contexts = users.map((user) => engine.contextOf(user));

// Timed first: the checking pass calls every engine through `await`, which no application does with a
// synchronous evaluator, and it measurably left some engines' JIT state worse for the timed runs.
const runs = await measure(engine, contexts);
const distribution = await distributionOf(engine, users, contexts);
await engine.close?.();

const report: EngineReport = {
  engine: engine.id,
  version: engine.packageName ? packageVersion(engine.packageName) : 'n/a',
  call: engine.call,
  kind: engine.kind,
  runsNs: runs.map((run) => run.nsPerEval),
  runChecksums: runs.map((run) => run.checksum),
  distribution,
};
send(report, () => process.exit(0));
