import type { Snapshot } from '@switchboard/core';
import { loadCaseFiles, toExpectation } from '@switchboard/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type SwitchboardClient } from '../src/index.js';

const clients: SwitchboardClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

// The SDK evaluates through core; the same case files hold it to the same semantics.
describe.each(loadCaseFiles())('$path through the SDK', (file) => {
  it('serves every case from a bootstrap snapshot', async () => {
    const client = createClient({
      url: 'http://127.0.0.1:9',
      sdkKey: 'sb_server_unused',
      bootstrap: file.snapshot as unknown as Snapshot,
      stream: false,
      fetch: async () => {
        throw new Error('offline');
      },
    });
    clients.push(client);
    expect((await client.ready({ timeoutMs: 50 })).source).toBe('bootstrap');
    for (const c of file.cases) {
      expect(toExpectation(client.evaluate(c.flag, c.context as never, c.default)), c.name).toEqual(c.expect);
    }
  });
});
