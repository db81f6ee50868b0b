import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './harness.js';

// Validation does not depend on the store, so one dialect is enough here; the malformed-bodies
// property test covers both.
describe('regular expressions in rules and segments are checked for ReDoS at write time', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const created = await t.request('POST', '/api/v1/flags', {
      key: 'greeting',
      kind: 'string',
      variants: [
        { key: 'a', value: 'hello' },
        { key: 'b', value: 'hi' },
      ],
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const rulesWith = (pattern: string) => ({
    version: 0,
    rules: [
      {
        clauses: [
          { attribute: 'tier', op: 'equals', values: ['pro'] },
          { attribute: 'email', op: 'matches', values: [pattern] },
        ],
        serve: { variant: 'b' },
      },
    ],
  });

  it.each(['(a+)+$', '(a|aa)+$', '\\d*\\d*\\d*$', '(.*a){12}', '^(\\w+\\s?)*$'])(
    'refuses the rule pattern %s with a 400 naming the field and why, storing nothing',
    async (pattern) => {
      const response = await t.request(
        'PATCH',
        '/api/v1/flags/greeting/environments/production',
        rulesWith(pattern),
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error: 'VALIDATION_FAILED',
        field: 'body.rules.0.clauses.1.values.0',
      });
      expect(response.body.message).toMatch(/unusable regular expression: .*(backtrack|repeated group)/);
      const stored = await t.request('GET', '/api/v1/flags/greeting/environments/production');
      expect(stored.body).toMatchObject({ version: 0, rules: [] });
    },
  );

  it('says which parts overlap for a polynomial pattern that only the detector refuses', async () => {
    const response = await t.request(
      'PATCH',
      '/api/v1/flags/greeting/environments/production',
      rulesWith('\\d*\\d*\\d*$'),
    );
    expect(response.body.message).toContain('body.rules.0.clauses.1.values.0');
    expect(response.body.message).toMatch(/ReDoS.*can match the same text/);
  });

  it('refuses an evil segment clause pattern with the field named', async () => {
    const response = await t.request('POST', '/api/v1/segments', {
      key: 'gmail',
      clauses: [{ attribute: 'email', op: 'matches', values: ['^[a-z]+$', 'x\\w*y\\w*z'] }],
    });
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('body.clauses.0.values.1');
    expect((await t.request('GET', '/api/v1/segments/gmail')).status).toBe(404);
  });

  it('stores ordinary patterns and evaluates them', async () => {
    const saved = await t.request(
      'PATCH',
      '/api/v1/flags/greeting/environments/production',
      rulesWith('^[^@]+@example\\.com$'),
    );
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const segment = await t.request('POST', '/api/v1/segments', {
      key: 'staff',
      clauses: [{ attribute: 'email', op: 'matches', values: ['@(acme|example)\\.com$', 'foo.*bar'] }],
    });
    expect(segment.status, JSON.stringify(segment.body)).toBe(201);
  });
});
