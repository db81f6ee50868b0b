import { describe, expect, it } from 'vitest';
import { flagViewOf, parseRoute, paths } from '../routing/routes.js';

describe('the rollouts routes', () => {
  it('reads the list and one plan from their paths', () => {
    expect(parseRoute('/rollouts')).toEqual({ page: 'rollouts' });
    expect(parseRoute('/rollouts/')).toEqual({ page: 'rollouts' });
    expect(parseRoute('/rollouts/0b6f3c1e-1111-4222-8333-444455556666')).toEqual({
      page: 'rollout',
      id: '0b6f3c1e-1111-4222-8333-444455556666',
    });
    expect(parseRoute('/rollouts/a/b')).toEqual({ page: 'not-found' });
  });

  it('writes their paths, the filter in the query', () => {
    expect(paths.rollouts()).toBe('/rollouts');
    expect(paths.rollouts({ status: 'live' })).toBe('/rollouts?status=live');
    expect(paths.rollout('a b')).toBe('/rollouts/a%20b');
    expect(parseRoute(paths.rollout('a b'))).toEqual({ page: 'rollout', id: 'a b' });
  });

  it("names a flag's Rollout view in its query, targeting otherwise", () => {
    expect(flagViewOf(new URLSearchParams('view=rollout'))).toBe('rollout');
    expect(flagViewOf(new URLSearchParams('view=results'))).toBe('results');
    expect(flagViewOf(new URLSearchParams('view=nonsense'))).toBe('targeting');
    expect(paths.flag('llm', 'production', { view: 'rollout' })).toBe(
      '/flags/llm?env=production&view=rollout',
    );
  });
});
