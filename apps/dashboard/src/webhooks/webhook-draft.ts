import type { FieldProblem } from '../model/field-errors.js';
import {
  WEBHOOK_EVENT_FAMILIES,
  WEBHOOK_EVENT_TYPES,
  type WebhookFormat,
  type WebhookView,
} from './webhook-types.js';

/** A webhook as edited. */
export interface WebhookDraft {
  name: string;
  url: string;
  /** Filters: `*`, families (`flag.*`) and event types. */
  events: string[];
  /** Only events of this flag; '' for every flag. */
  flag: string;
  /** Only events of this environment; '' for every environment. */
  environment: string;
  format: WebhookFormat;
  enabled: boolean;
}

/** The server's limits (webhook-schemas.ts). */
const NAME_MAX = 200;
const URL_MAX = 2_000;
const URL_PATTERN = /^https?:\/\/[\x21-\x7e]+$/;
const SLUG_PATTERN = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;
const SLUG_MAX = 100;

/** The draft of a stored webhook, or of a new one (flag events, JSON, enabled). */
export function webhookDraftOf(webhook: WebhookView | undefined): WebhookDraft {
  return {
    name: webhook?.name ?? '',
    url: webhook?.url ?? '',
    events: webhook?.events ?? ['flag.*'],
    flag: webhook?.flag ?? '',
    environment: webhook?.environment ?? '',
    format: webhook?.format ?? 'json',
    enabled: webhook?.enabled ?? true,
  };
}

/** Whether two drafts would send the same webhook (the order of events aside). */
export function sameWebhookDraft(a: WebhookDraft, b: WebhookDraft): boolean {
  return (
    JSON.stringify({ ...a, events: [...a.events].sort() }) ===
    JSON.stringify({ ...b, events: [...b.events].sort() })
  );
}

/** The problem with a URL as the server judges it, if any. */
export function urlProblem(url: string): string | undefined {
  if (url === '') return 'required: where deliveries are POSTed';
  if (url.length > URL_MAX) return `at most ${URL_MAX} characters`;
  if (!URL_PATTERN.test(url))
    return 'must be an http:// or https:// URL (printable ASCII: percent-encode the rest)';
  if (!URL.canParse(url)) return 'must be a URL';
  return undefined;
}

function slugProblem(value: string): string | undefined {
  if (value.length > SLUG_MAX) return `at most ${SLUG_MAX} characters`;
  return SLUG_PATTERN.test(value)
    ? undefined
    : 'must be a slug: lowercase letters and digits, separated by single - _ or .';
}

/** The body a draft sends (create, or patch without the version), and the problems found before sending. */
export function webhookBodyOf(draft: WebhookDraft): {
  body: Record<string, unknown>;
  problems: FieldProblem[];
} {
  const problems: FieldProblem[] = [];
  const name = draft.name.trim();
  const url = draft.url.trim();
  const flag = draft.flag.trim();
  if (name === '') problems.push({ field: 'body.name', message: 'required: a name to know it by' });
  else if (name.length > NAME_MAX)
    problems.push({ field: 'body.name', message: `at most ${NAME_MAX} characters` });
  const badUrl = urlProblem(url);
  if (badUrl !== undefined) problems.push({ field: 'body.url', message: badUrl });
  if (draft.events.length === 0)
    problems.push({ field: 'body.events', message: 'choose at least one event type' });
  const badFlag = flag === '' ? undefined : slugProblem(flag);
  if (badFlag !== undefined) problems.push({ field: 'body.flag', message: badFlag });
  return {
    body: {
      name,
      url,
      events: normalizedEvents(draft.events),
      flag: flag === '' ? null : flag,
      environment: draft.environment === '' ? null : draft.environment,
      format: draft.format,
      enabled: draft.enabled,
    },
    problems,
  };
}

/** The family filter (`flag.*`) of an event type. */
export function familyOf(type: string): string {
  return `${type.slice(0, type.indexOf('.'))}.*`;
}

/** Whether the filters already take every event of this type or family through a wider one. */
export function coveredByWider(events: readonly string[], filter: string): boolean {
  if (filter === '*') return false;
  if (events.includes('*')) return true;
  return !filter.endsWith('.*') && events.includes(familyOf(filter));
}

/** The filters with one turned on or off. */
export function toggleEvent(events: readonly string[], filter: string, on: boolean): string[] {
  const rest = events.filter((e) => e !== filter);
  return on ? [...rest, filter] : rest;
}

/** The filters without those a wider one already covers, in the server's order. */
export function normalizedEvents(events: readonly string[]): string[] {
  const order = ['*', ...WEBHOOK_EVENT_FAMILIES.map((f) => `${f}.*`), ...WEBHOOK_EVENT_TYPES];
  return [...new Set(events)]
    .filter((e) => !coveredByWider(events, e))
    .sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** The filters in words, for the list: `everything`, `flag.*, alert.fired`. */
export function eventsText(events: readonly string[]): string {
  return events.includes('*') ? 'everything' : normalizedEvents(events).join(', ');
}
