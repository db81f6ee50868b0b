// `npm start` until the server lands (issue 3): says what this checkout holds and how to use it.
import { readFileSync } from 'node:fs';

const index = JSON.parse(readFileSync(new URL('../packages/spec/index.json', import.meta.url), 'utf8'));
let cases = 0;
for (const file of index.files) {
  cases += JSON.parse(readFileSync(new URL(`../packages/spec/${file}`, import.meta.url), 'utf8')).cases
    .length;
}
console.log(`Switchboard — the server is not built yet. What is here:

  packages/core   the evaluator: compileSnapshot(), evaluate(), explain(), bucketOf()
  packages/spec   ${cases} evaluation cases in ${index.files.length} files, run by every evaluator
  bench/          npm run bench:eval — evaluation speed against GrowthBook, Unleash, flagd, LaunchDarkly

Try it:
  npm test               run every test
  npm run bench:eval     measure evaluation against the peers
`);
