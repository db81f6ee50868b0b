import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

// Event ingestion takes arbitrary arrays from SDKs it does not control: each event is judged on its
// own (the valid ones kept, the others listed with their index and field), nothing answers 5xx, and
// a rejected event adds nothing to what is stored.

const RUNS = { sqlite: 60, postgres: 15 } as const;
const FLAG = 'checkout-v2';

const validEvent = fc.oneof(
  fc.record({
    kind: fc.constant('exposure'),
    flag: fc.constant(FLAG),
    variant: fc.constantFrom('on', 'off'),
    unit: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `u-${s}`),
  }),
  fc.record({
    kind: fc.constant('metric'),
    name: fc.constantFrom('conversion', 'revenue'),
    value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    flag: fc.constant(FLAG),
    variant: fc.constantFrom('on', 'off'),
    unit: fc.constant('u-1'),
  }),
);

/** Events that no schema may accept: other types, unknown kinds, flags and variants, wrong field types. */
const hostileEvent: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, 0, -1, true, 'exposure', '', [], [{}], {}),
  fc.constantFrom<unknown>(
    { kind: 'toggle' },
    { kind: 'exposure' },
    { kind: 'exposure', flag: 'no-such-flag', variant: 'on', unit: 'u' },
    { kind: 'exposure', flag: FLAG, variant: 'ghost', unit: 'u' },
    { kind: 'exposure', flag: FLAG, variant: 'on' },
    { kind: 'exposure', flag: FLAG, variant: 'on', unit: 42 },
    { kind: 'exposure', flag: FLAG, variant: 'on', unit: '' },
    { kind: 'exposure', flag: FLAG, variant: 'on', unit: 'u', ts: 'yesterday' },
    { kind: 'exposure', flag: ['x'], variant: 'on', unit: 'u' },
    { kind: 'metric', name: 'conversion', value: 'high', flag: FLAG, variant: 'on', unit: 'u' },
    { kind: 'metric', value: 1, flag: FLAG, variant: 'on', unit: 'u' },
    { kind: 'metric', name: 'conversion', flag: FLAG, variant: 'on', unit: 'u' },
    { kind: 'feedback', score: 7, unit: 'u' },
    { kind: 'generation', flag: FLAG, variant: 'on', unit: 'u', latencyMs: 'slow' },
  ),
  fc.record({
    kind: fc
      .string({ maxLength: 12 })
      .filter((k) => !['exposure', 'metric', 'generation', 'feedback'].includes(k)),
  }),
);

describe.each(DIALECTS)('event ingestion of arbitrary batches on %s', (dialect) => {
  let t: TestApp;
  let serverKey = '';
  let batches = 0;

  beforeAll(async () => {
    t = await startTestApp(dialect);
    const created = await t.request('POST', '/api/v1/flags', {
      key: FLAG,
      kind: 'boolean',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
    });
    expect(created.status).toBe(201);
    const key = await t.request('POST', '/api/v1/keys', {
      name: 'sdk',
      kind: 'server',
      environment: 'production',
    });
    serverKey = key.body.key;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** How many raw events the environment holds, by the export. */
  async function stored(): Promise<number> {
    await t.services.events.flush();
    const response = await t.http.inject({
      method: 'GET',
      url: '/api/v1/events/export?environment=production',
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    expect(response.statusCode).toBe(200);
    return response.body.split('\n').filter((line) => line.trim() !== '').length;
  }

  it('keeps each valid event, rejects each invalid one with its index and field, and never answers 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            validEvent.map((e) => ({ valid: true, e })),
            hostileEvent.map((e) => ({ valid: false, e })),
          ),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        async (items) => {
          const before = await stored();
          batches += 1;
          const response = await t.http.inject({
            method: 'POST',
            url: '/api/v1/events',
            headers: {
              authorization: `Bearer ${serverKey}`,
              'content-type': 'application/json',
              'idempotency-key': `fuzz-${dialect}-${batches}`,
            },
            payload: JSON.stringify({ events: items.map((i) => i.e) }),
          });
          expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
          const body = JSON.parse(response.body) as {
            accepted: number;
            rejected: { index: number; field: string; message: string }[];
          };
          const invalid = items.flatMap((item, index) => (item.valid ? [] : [index]));
          expect(body.rejected.map((r) => r.index)).toEqual(invalid);
          for (const r of body.rejected) {
            expect(r.field.length, JSON.stringify(r)).toBeGreaterThan(0);
            expect(r.message.length).toBeGreaterThan(0);
          }
          expect(body.accepted).toBe(items.length - invalid.length);
          expect(await stored()).toBe(before + body.accepted);
        },
      ),
      { numRuns: RUNS[dialect], endOnFailure: true },
    );
  });

  it('refuses batches that are not a list of 1 to 5,000 events as a whole, storing nothing', async () => {
    const before = await stored();
    for (const payload of [
      '{"events":[]}',
      '{"events":{}}',
      '{"events":null}',
      '[]',
      '{}',
      `{"events":[${'{},'.repeat(5_000)}{}]}`,
    ]) {
      batches += 1;
      const response = await t.http.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: {
          authorization: `Bearer ${serverKey}`,
          'content-type': 'application/json',
          'idempotency-key': `whole-${batches}`,
        },
        payload,
      });
      expect(response.statusCode, payload.slice(0, 40)).toBe(400);
      expect(JSON.parse(response.body).field).toMatch(/^body/);
    }
    expect(await stored()).toBe(before);
  });
});
