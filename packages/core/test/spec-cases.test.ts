import { loadCaseFiles, toExpectation } from '@switchboard/spec';
import { describe, expect, it } from 'vitest';
import { bucketOf, compileSnapshot, evaluate, explain, murmur3, type Snapshot } from '../src/index.js';

// The same files run through the server, the SDK and the OpenFeature providers.
describe.each(loadCaseFiles())('$path', (file) => {
  const snapshot = file.snapshot as unknown as Snapshot;
  // Generated at once, so every case runs through generated matchers as well as interpreted ones.
  const compiled = compileSnapshot(snapshot, { generateAfter: 0 });
  const interpreted = compileSnapshot(snapshot, { generateCode: false });

  it.each(file.cases)('$name', (c) => {
    expect(toExpectation(evaluate(compiled, c.flag, c.context, c.default))).toEqual(c.expect);
    // A plain snapshot compiles on the fly and must give the same.
    expect(toExpectation(evaluate(snapshot, c.flag, c.context, c.default))).toEqual(c.expect);
    // Rules interpreted (as where a Content-Security-Policy forbids generated code) give the same.
    expect(toExpectation(evaluate(interpreted, c.flag, c.context, c.default))).toEqual(c.expect);
    // The explain mode walks the same path.
    expect(toExpectation(explain(compiled, c.flag, c.context, c.default).result)).toEqual(c.expect);
  });

  if (file.bucketVectors !== undefined && file.bucketVectors.length > 0) {
    it.each(file.bucketVectors)('bucket of $salt . $unitId', (v) => {
      expect(murmur3(`${v.salt}.${v.unitId}`)).toBe(v.hash);
      expect(bucketOf(v.salt, v.unitId)).toBe(v.bucket);
    });
  }
});
