import { describe, expect, it } from 'vitest';
import {
  WEBHOOK_EVENT_FILTERS as SERVER_FILTERS,
  WEBHOOK_EVENT_TYPES as SERVER_TYPES,
} from '../../../server/src/features/webhooks/webhook-events.js';
import { WEBHOOK_FORMATS as SERVER_FORMATS } from '../../../server/src/features/webhooks/webhook-payloads.js';
import { webhookCreateSchema } from '../../../server/src/features/webhooks/webhook-schemas.js';
import { DELIVERY_STATUSES as SERVER_STATUSES } from '../../../server/src/features/webhooks/webhook-store.js';
import { attemptOutcome, deliveryOutcome, statusPillClass } from './delivery-words.js';
import {
  coveredByWider,
  eventsText,
  normalizedEvents,
  toggleEvent,
  urlProblem,
  webhookBodyOf,
  webhookDraftOf,
} from './webhook-draft.js';
import {
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_FILTERS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
} from './webhook-types.js';

const draft = (patch: Partial<ReturnType<typeof webhookDraftOf>> = {}) => ({
  ...webhookDraftOf(undefined),
  name: 'ops',
  url: 'https://hooks.example.com/switchboard',
  ...patch,
});

describe('webhook drafts', () => {
  it('offers exactly the event filters, formats and statuses the server accepts', () => {
    expect(WEBHOOK_EVENT_FILTERS).toEqual([...SERVER_FILTERS]);
    expect(WEBHOOK_EVENT_TYPES).toEqual([...SERVER_TYPES]);
    expect(WEBHOOK_FORMATS).toEqual([...SERVER_FORMATS]);
    expect(DELIVERY_STATUSES).toEqual([...SERVER_STATUSES]);
  });

  it('sends a body the server schema takes, with empty filters as null', () => {
    const { body, problems } = webhookBodyOf(draft({ format: 'slack', events: ['alert.fired', 'flag.*'] }));
    expect(problems).toEqual([]);
    expect(body).toEqual({
      name: 'ops',
      url: 'https://hooks.example.com/switchboard',
      events: ['flag.*', 'alert.fired'],
      flag: null,
      environment: null,
      format: 'slack',
      enabled: true,
    });
    expect(webhookCreateSchema.safeParse(body).success).toBe(true);
  });

  it('names the field of each problem, where the server would refuse it too', () => {
    const cases: [Partial<ReturnType<typeof webhookDraftOf>>, string][] = [
      [{ name: '  ' }, 'body.name'],
      [{ name: 'x'.repeat(201) }, 'body.name'],
      [{ url: 'ftp://example.com' }, 'body.url'],
      [{ url: 'https://exa mple.com' }, 'body.url'],
      [{ url: 'http://' }, 'body.url'],
      [{ events: [] }, 'body.events'],
      [{ flag: 'Not A Slug' }, 'body.flag'],
    ];
    for (const [patch, field] of cases) {
      const { body, problems } = webhookBodyOf(draft(patch));
      expect(
        problems.map((p) => p.field),
        JSON.stringify(patch),
      ).toEqual([field]);
      const server = webhookCreateSchema.safeParse(body);
      expect(server.success, JSON.stringify(patch)).toBe(false);
    }
    expect(urlProblem('https://example.com/a?b=%20')).toBeUndefined();
  });

  it('drops filters a wider one covers, and says what a webhook receives', () => {
    expect(coveredByWider(['flag.*'], 'flag.updated')).toBe(true);
    expect(coveredByWider(['flag.*'], 'alert.fired')).toBe(false);
    expect(coveredByWider(['*'], 'rollout.*')).toBe(true);
    expect(coveredByWider(['*'], '*')).toBe(false);
    expect(normalizedEvents(['flag.updated', 'flag.*', 'alert.fired', 'alert.fired'])).toEqual([
      'flag.*',
      'alert.fired',
    ]);
    expect(eventsText(['*', 'flag.*'])).toBe('everything');
    expect(eventsText(['schedule.failed', 'rollout.*'])).toBe('rollout.*, schedule.failed');
    expect(toggleEvent(['flag.*'], 'alert.*', true)).toEqual(['flag.*', 'alert.*']);
    expect(toggleEvent(['flag.*', 'alert.*'], 'flag.*', false)).toEqual(['alert.*']);
  });
});

describe('delivery words', () => {
  it('says what the receiver answered, or why nothing was', () => {
    expect(attemptOutcome({ statusCode: 200, durationMs: 12.4, error: null })).toBe('HTTP 200 in 12 ms');
    expect(attemptOutcome({ statusCode: 503, durationMs: 3, error: 'HTTP 503' })).toBe(
      'HTTP 503 in 3 ms: HTTP 503',
    );
    expect(attemptOutcome({ statusCode: null, durationMs: 5000, error: 'timed out' })).toBe(
      'timed out (in 5000 ms)',
    );
    expect(
      deliveryOutcome({ attempts: 0, lastStatusCode: null, lastError: null, lastDurationMs: null }),
    ).toBe('not attempted yet');
    expect(deliveryOutcome({ attempts: 2, lastStatusCode: 204, lastError: null, lastDurationMs: 7 })).toBe(
      'HTTP 204 in 7 ms',
    );
    expect(statusPillClass('succeeded')).toBe('pill pill-on');
    expect(statusPillClass('failed')).toBe('pill pill-off');
    expect(statusPillClass('pending')).toBe('pill pill-muted');
  });
});
