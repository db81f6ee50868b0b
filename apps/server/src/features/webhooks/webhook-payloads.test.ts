import { describe, expect, it } from 'vitest';
import { type WebhookEvent, webhookWants } from './webhook-events.js';
import { slackMessage, webhookBody } from './webhook-payloads.js';

const event = (overrides: Partial<WebhookEvent>): WebhookEvent => ({
  id: 'e1',
  type: 'flag.disabled',
  at: '2026-06-01T12:00:00.000Z',
  project: 'default',
  environment: 'production',
  flag: 'checkout',
  actor: 'key:ops#12345678',
  data: {},
  ...overrides,
});

describe('webhook payloads', () => {
  it('are the event itself in json format', () => {
    const e = event({ data: { before: { enabled: true }, after: { enabled: false } } });
    expect(JSON.parse(webhookBody(e, 'json'))).toEqual(e);
  });

  it('are Slack messages ({ text, blocks }) in slack format, with mrkdwn escaped', () => {
    const message = JSON.parse(
      webhookBody(
        event({ type: 'rollout.rolled_back', data: { reason: 'error rate <up> & more', stage: 2 } }),
        'slack',
      ),
    );
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
    expect(message.text).toBe(
      ':rewind: Rollout of *checkout* in *production* was rolled back: error rate &lt;up&gt; &amp; more',
    );
    expect(message.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: message.text } });
    expect(message.blocks[1].text.text).toBe('• stage: 2');
    expect(message.blocks[2]).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'project *default* · 2026-06-01T12:00:00.000Z · by key:ops#12345678' },
      ],
    });
    expect(slackMessage(event({})).text).toBe(':red_circle: Flag *checkout* was turned off in *production*');
    expect(
      slackMessage(
        event({ type: 'alert.fired', data: { name: 'Errors', reason: 'error rate 0.4 above 0.1' } }),
      ).text,
    ).toBe(':rotating_light: Alert *Errors* fired on *checkout* in *production*: error rate 0.4 above 0.1');
  });
});

describe('which webhooks take an event', () => {
  const webhook = (
    overrides: Partial<{ events: string[]; flag: string | null; environment: string | null }>,
  ) => ({
    events: ['*'],
    flag: null,
    environment: null,
    ...overrides,
  });

  it('match types, families and *', () => {
    expect(webhookWants(webhook({}), event({}))).toBe(true);
    expect(webhookWants(webhook({ events: ['flag.*'] }), event({}))).toBe(true);
    expect(webhookWants(webhook({ events: ['flag.disabled'] }), event({}))).toBe(true);
    expect(webhookWants(webhook({ events: ['flag.enabled', 'alert.*'] }), event({}))).toBe(false);
    expect(webhookWants(webhook({ events: ['rollout.*'] }), event({ type: 'rollout.held' }))).toBe(true);
  });

  it('filter by flag and environment; events of a whole flag reach every environment filter', () => {
    expect(webhookWants(webhook({ flag: 'other' }), event({}))).toBe(false);
    expect(webhookWants(webhook({ flag: 'checkout' }), event({}))).toBe(true);
    expect(webhookWants(webhook({ environment: 'staging' }), event({}))).toBe(false);
    expect(
      webhookWants(webhook({ environment: 'staging' }), event({ type: 'flag.updated', environment: null })),
    ).toBe(true);
  });

  it('always take test events', () => {
    expect(
      webhookWants(webhook({ events: ['alert.*'], flag: 'x' }), event({ type: 'webhook.test', flag: null })),
    ).toBe(true);
  });
});
