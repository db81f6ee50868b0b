import { describe, expect, it } from 'vitest';
import { alertCreateSchema } from '../../../server/src/features/alerts/alert-schemas.js';
import {
  ALERT_ACTIONS as SERVER_ACTIONS,
  ALERT_EVENT_KINDS as SERVER_KINDS,
  ALERT_METRICS as SERVER_METRICS,
  ALERT_STATES as SERVER_STATES,
} from '../../../server/src/features/alerts/alert-store.js';
import { type AlertDraft, alertBodyOf, alertDraftOf } from './alert-draft.js';
import { ALERT_ACTIONS, ALERT_EVENT_KINDS, ALERT_METRICS, ALERT_STATES } from './alert-types.js';
import { conditionText, metricValueText } from './alert-words.js';

const draft = (patch: Partial<AlertDraft> = {}): AlertDraft => ({
  ...alertDraftOf(undefined, { flag: 'checkout', environment: 'production' }),
  threshold: '0.05',
  ...patch,
});

/** A typed text as a JSON body would carry it: a number when it reads as one. */
const asTyped = (text: string) =>
  text.trim() === '' ? undefined : Number.isFinite(Number(text)) ? Number(text) : text;

describe('alert drafts', () => {
  it('offers exactly the metrics, actions, states and history kinds the server has', () => {
    expect(ALERT_METRICS).toEqual([...SERVER_METRICS]);
    expect(ALERT_ACTIONS).toEqual([...SERVER_ACTIONS]);
    expect(ALERT_STATES).toEqual([...SERVER_STATES]);
    expect(ALERT_EVENT_KINDS).toEqual([...SERVER_KINDS]);
  });

  it('sends the server defaults for a new rule, as a body its schema takes', () => {
    const { body, problems } = alertBodyOf(draft());
    expect(problems).toEqual([]);
    expect(body).toEqual({
      metric: 'error_rate',
      threshold: 0.05,
      windowMinutes: 60,
      forMinutes: 0,
      minSample: 100,
      variant: null,
      action: 'notify',
      enabled: true,
    });
    expect(alertCreateSchema.parse(body)).toEqual(
      alertCreateSchema.parse({ metric: 'error_rate', threshold: 0.05 }),
    );
  });

  it('refuses what the server refuses, naming the field', () => {
    const cases: [Partial<AlertDraft>, string][] = [
      [{ threshold: '' }, 'body.threshold'],
      [{ threshold: 'lots' }, 'body.threshold'],
      [{ threshold: '-1' }, 'body.threshold'],
      [{ metric: 'latency_p95_ms', threshold: '2000000000' }, 'body.threshold'],
      [{ windowMinutes: '0' }, 'body.windowMinutes'],
      [{ windowMinutes: '10081' }, 'body.windowMinutes'],
      [{ windowMinutes: '1.5' }, 'body.windowMinutes'],
      [{ forMinutes: '-1' }, 'body.forMinutes'],
      [{ forMinutes: '1441' }, 'body.forMinutes'],
      [{ minSample: '0' }, 'body.minSample'],
      [{ name: 'x'.repeat(201) }, 'body.name'],
    ];
    for (const [patch, field] of cases) {
      const { body, problems } = alertBodyOf(draft(patch));
      expect(
        problems.map((p) => p.field),
        JSON.stringify(patch),
      ).toEqual([field]);
      // What the server gets when the same text is sent without the dashboard's check.
      const raw = Object.fromEntries(
        Object.entries(patch)
          .filter(([key]) => key !== 'metric')
          .map(([key, text]) => [key, asTyped(String(text))]),
      );
      expect(alertCreateSchema.safeParse({ ...body, ...raw }).success, JSON.stringify(patch)).toBe(false);
    }
  });

  it('keeps rates at most 1, as the service does, but not milliseconds', () => {
    expect(alertBodyOf(draft({ threshold: '1.5' })).problems).toEqual([
      { field: 'body.threshold', message: 'must be at most 1' },
    ]);
    expect(alertBodyOf(draft({ metric: 'latency_p95_ms', threshold: '1500' })).problems).toEqual([]);
  });

  it('asks for the flag and environment of a new rule', () => {
    expect(alertBodyOf(draft({ flag: '', environment: '' })).problems.map((p) => p.field)).toEqual([
      'params.key',
      'params.env',
    ]);
  });

  it('writes conditions in the unit of their metric', () => {
    expect(metricValueText('error_rate', 0.05)).toBe('5%');
    expect(metricValueText('latency_p95_ms', 1200)).toBe('1200 ms');
    expect(metricValueText('cost_per_day_usd', 40)).toBe('$40.00');
    expect(
      conditionText({
        metric: 'fallback_rate',
        threshold: 0.125,
        windowMinutes: 60,
        forMinutes: 5,
        minSample: 100,
        variant: 'candidate',
      }),
    ).toBe('Fallback rate > 12.5% over 60 min, for 5 min, ≥ 100 requests, variant candidate');
  });
});
