import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './api-client.js';
import type { EnvironmentView } from './api-types.js';
import { SET_ENABLED_ATTEMPTS, setEnabled } from './set-enabled.js';

/**
 * One environment's configuration behind the API's read and enable/disable calls, where another
 * writer lands a change between our read and our write the first `races` times.
 */
class RacingServer extends ApiClient {
  writes = 0;
  config: EnvironmentView = {
    enabled: true,
    offVariant: 'off',
    targets: [],
    rules: [],
    fallthrough: { variant: 'on' },
    prerequisites: [],
    retryAfterSeconds: null,
    shadow: null,
    version: 3,
  };

  constructor(private races: number) {
    super('http://127.0.0.1:1', 'unused');
  }

  override async request<T>(method: string, path: string, _query: unknown, body?: unknown): Promise<T> {
    if (method === 'GET') return { ...this.config } as T;
    this.writes++;
    const expected = (body as { version: number }).version;
    if (this.races > 0) {
      this.races--;
      this.config = { ...this.config, version: this.config.version + 1 };
    }
    if (expected !== this.config.version) {
      throw new ApiError(409, 'VERSION_CONFLICT', `at version ${this.config.version}, not ${expected}`, {});
    }
    this.config = { ...this.config, enabled: path.endsWith('/enable'), version: expected + 1 };
    return { ...this.config } as T;
  }
}

const target = { project: 'default', flag: 'f', environment: 'production', enabled: false };

describe('setEnabled', () => {
  it('writes with the version it read', async () => {
    const server = new RacingServer(0);
    const result = await setEnabled(server, target);
    expect(result).toMatchObject({ changed: true, conflicts: 0 });
    expect(result.after).toMatchObject({ enabled: false, version: 4 });
  });

  it('reads again and retries when another change wins the race', async () => {
    const server = new RacingServer(2);
    const result = await setEnabled(server, target);
    expect(result.conflicts).toBe(2);
    expect(server.config).toMatchObject({ enabled: false, version: 6 });
  });

  it('gives up with the conflict after a few tries', async () => {
    const server = new RacingServer(100);
    await expect(setEnabled(server, target)).rejects.toThrow(ApiError);
    expect(server.writes).toBe(SET_ENABLED_ATTEMPTS);
  });

  it('writes nothing when the flag is already in that state', async () => {
    const server = new RacingServer(0);
    const result = await setEnabled(server, { ...target, enabled: true });
    expect(result.changed).toBe(false);
    expect(server.writes).toBe(0);
  });

  it('with ifVersion, writes once and a stale version fails', async () => {
    const server = new RacingServer(1);
    await expect(setEnabled(server, { ...target, ifVersion: 3 })).rejects.toMatchObject({
      status: 409,
      exitCode: 5,
    });
    expect(server.writes).toBe(1);
  });
});
