import { loadCaseFiles, toExpectation } from '@switchboard/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

// The server's evaluate endpoint runs every shared case, as core, the SDK and the providers do: the
// case file's snapshot goes inline, so what is checked is the HTTP path into core and back (JSON in,
// JSON out, contexts of every type, defaults including null).
describe.each(DIALECTS)('spec cases through POST /api/v1/evaluate on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(dialect);
  });
  afterAll(async () => {
    await t.destroy();
  });

  describe.each(loadCaseFiles())('$path', (file) => {
    it.each(file.cases)('$name', async (c) => {
      const { status, body } = await t.request('POST', '/api/v1/evaluate', {
        snapshot: file.snapshot,
        flag: c.flag,
        context: c.context,
        ...('default' in c ? { default: c.default } : {}),
      });
      expect(status).toBe(200);
      expect(body.flag).toBe(c.flag);
      expect(toExpectation(body.result)).toEqual(c.expect);
    });
  });
});
