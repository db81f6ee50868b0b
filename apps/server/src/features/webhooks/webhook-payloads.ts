import type { WebhookEvent } from './webhook-events.js';

/** How a webhook's deliveries are written: the event as JSON, or a Slack incoming-webhook message. */
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The body sent for an event, as text: it is what the signature covers. */
export function webhookBody(event: WebhookEvent, format: WebhookFormat): string {
  return JSON.stringify(format === 'slack' ? slackMessage(event) : event);
}

/** A Slack block, as much of one as these messages use. */
type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** A Slack-compatible message (`{ text, blocks }`): `text` is the notification, `blocks` what is shown. */
export function slackMessage(event: WebhookEvent): { text: string; blocks: SlackBlock[] } {
  const text = summary(event);
  const details = detailLines(event);
  const context = [`project *${escapeMrkdwn(event.project)}*`, escapeMrkdwn(event.at)];
  if (event.actor !== null) context.push(`by ${escapeMrkdwn(event.actor)}`);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      ...(details.length === 0
        ? []
        : [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: details.join('\n') } }]),
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    ],
  };
}

/** Slack's mrkdwn treats these three as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function bold(text: string | null): string {
  return `*${escapeMrkdwn(text ?? '?')}*`;
}

function where(event: WebhookEvent): string {
  return event.environment === null ? '' : ` in ${bold(event.environment)}`;
}

function summary(event: WebhookEvent): string {
  const flag = bold(event.flag);
  const data = event.data;
  const reason = typeof data.reason === 'string' ? `: ${escapeMrkdwn(data.reason)}` : '';
  switch (event.type) {
    case 'flag.created':
      return `:triangular_flag_on_post: Flag ${flag} was created`;
    case 'flag.updated':
      return `:pencil2: Flag ${flag} was changed${where(event)}`;
    case 'flag.enabled':
      return `:large_green_circle: Flag ${flag} was turned on${where(event)}`;
    case 'flag.disabled':
      return `:red_circle: Flag ${flag} was turned off${where(event)}`;
    case 'flag.archived':
      return `:file_cabinet: Flag ${flag} was archived`;
    case 'flag.restored':
      return `:recycle: Flag ${flag} was restored`;
    case 'rollout.advanced':
      return `:arrow_double_up: Rollout of ${flag}${where(event)} advanced${stage(data)}`;
    case 'rollout.held':
      return `:pause_button: Rollout of ${flag}${where(event)} is holding${stage(data)}${reason}`;
    case 'rollout.rolled_back':
      return `:rewind: Rollout of ${flag}${where(event)} was rolled back${reason}`;
    case 'rollout.completed':
      return `:checkered_flag: Rollout of ${flag}${where(event)} completed`;
    case 'rollout.paused':
      return `:double_vertical_bar: Rollout of ${flag}${where(event)} was paused${reason}`;
    case 'rollout.resumed':
      return `:arrow_forward: Rollout of ${flag}${where(event)} was resumed`;
    case 'alert.fired':
      return `:rotating_light: Alert ${bold(stringOr(data.name, 'alert'))} fired on ${flag}${where(event)}${reason}`;
    case 'alert.resolved':
      return `:white_check_mark: Alert ${bold(stringOr(data.name, 'alert'))} resolved on ${flag}${where(event)}`;
    case 'schedule.failed':
      return `:warning: A scheduled change of ${flag}${where(event)} failed${reason}`;
    case 'webhook.test':
      return ':wave: A test event from Switchboard: this webhook works.';
  }
}

function stage(data: Record<string, unknown>): string {
  const percentage = data.percentage;
  return typeof percentage === 'number' ? ` to ${percentage}%` : '';
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.length > 0 ? value : fallback;
}

/** A few figures worth reading in the channel: the scalar fields of the event's data. */
function detailLines(event: WebhookEvent): string[] {
  if (event.type.startsWith('flag.')) return [];
  return Object.entries(event.data)
    .filter(([key, value]) => key !== 'reason' && key !== 'name' && isScalar(value))
    .slice(0, 10)
    .map(([key, value]) => `• ${escapeMrkdwn(key)}: ${escapeMrkdwn(String(value))}`);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
