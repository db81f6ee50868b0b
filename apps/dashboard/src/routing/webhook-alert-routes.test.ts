import { describe, expect, it } from 'vitest';
import { parseRoute, paths } from './routes.js';

describe('the routes of webhooks and alerts', () => {
  it('reads the list, new and one-item pages, and nothing deeper', () => {
    expect(parseRoute('/webhooks')).toEqual({ page: 'webhooks' });
    expect(parseRoute('/webhooks/new')).toEqual({ page: 'webhook-new' });
    expect(parseRoute('/webhooks/0d5c7a3e-1f2b-4c3d-9e8f-0a1b2c3d4e5f')).toEqual({
      page: 'webhook',
      id: '0d5c7a3e-1f2b-4c3d-9e8f-0a1b2c3d4e5f',
    });
    expect(parseRoute('/alerts')).toEqual({ page: 'alerts' });
    expect(parseRoute('/alerts/new')).toEqual({ page: 'alert-new' });
    expect(parseRoute('/alerts/abc')).toEqual({ page: 'alert', id: 'abc' });
    expect(parseRoute('/alerts/abc/history')).toEqual({ page: 'not-found' });
    expect(parseRoute('/webhooks/abc/deliveries')).toEqual({ page: 'not-found' });
  });

  it('writes the paths the routes read back', () => {
    expect(parseRoute(paths.webhook('a b'))).toEqual({ page: 'webhook', id: 'a b' });
    expect(parseRoute(paths.alert('x'))).toEqual({ page: 'alert', id: 'x' });
    expect(paths.newAlert()).toBe('/alerts/new');
    expect(paths.newAlert({ flag: 'checkout', environment: 'production' })).toBe(
      '/alerts/new?flag=checkout&env=production',
    );
  });
});
