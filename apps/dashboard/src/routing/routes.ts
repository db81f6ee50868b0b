/** The dashboard's pages, by path. */
export type Route =
  | { page: 'flags' }
  | { page: 'flag-new' }
  | { page: 'flag'; key: string }
  | { page: 'segments' }
  | { page: 'segment-new' }
  | { page: 'segment'; key: string }
  | { page: 'audit' }
  | { page: 'keys' }
  | { page: 'webhooks' }
  | { page: 'webhook-new' }
  | { page: 'webhook'; id: string }
  | { page: 'alerts' }
  | { page: 'alert-new' }
  | { page: 'alert'; id: string }
  | { page: 'rollouts' }
  | { page: 'rollout'; id: string }
  | { page: 'not-found' };

/** The route of a pathname (`/flags/checkout` → the flag page of `checkout`). */
export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { page: 'not-found' };
  if (first === undefined) return { page: 'flags' };
  if (first === 'flags') {
    if (second === undefined) return { page: 'flags' };
    return second === 'new' ? { page: 'flag-new' } : { page: 'flag', key: second };
  }
  if (first === 'segments') {
    if (second === undefined) return { page: 'segments' };
    return second === 'new' ? { page: 'segment-new' } : { page: 'segment', key: second };
  }
  if (first === 'webhooks') {
    if (second === undefined) return { page: 'webhooks' };
    return second === 'new' ? { page: 'webhook-new' } : { page: 'webhook', id: second };
  }
  if (first === 'alerts') {
    if (second === undefined) return { page: 'alerts' };
    return second === 'new' ? { page: 'alert-new' } : { page: 'alert', id: second };
  }
  if (first === 'rollouts')
    return second === undefined ? { page: 'rollouts' } : { page: 'rollout', id: second };
  if (second !== undefined) return { page: 'not-found' };
  if (first === 'audit') return { page: 'audit' };
  if (first === 'keys') return { page: 'keys' };
  return { page: 'not-found' };
}

/** `?a=1&b=2` of the values that are set, or ''. */
function searchOf(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(name, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The views of a flag in one environment: its targeting (with the kill switch), its results, or its rollout. */
export type FlagViewName = 'targeting' | 'results' | 'rollout';

/** The view a flag page's `view` query names; targeting unless it names results or rollout. */
export function flagViewOf(search: URLSearchParams): FlagViewName {
  const view = search.get('view');
  return view === 'results' || view === 'rollout' ? view : 'targeting';
}

/** Paths of the pages, for links. */
export const paths = {
  flags: '/flags',
  newFlag: '/flags/new',
  /** A flag's page: in an environment, on a view (`results`; targeting when left out), with more of its query. */
  flag: (key: string, environment?: string, query: Record<string, string | undefined> = {}) =>
    `/flags/${encodeURIComponent(key)}${searchOf({ env: environment, ...query })}`,
  segments: '/segments',
  newSegment: '/segments/new',
  segment: (key: string) => `/segments/${encodeURIComponent(key)}`,
  audit: (filter: { flag?: string } = {}) =>
    `/audit${filter.flag === undefined ? '' : `?flag=${encodeURIComponent(filter.flag)}`}`,
  keys: '/keys',
  /** The rollout plans of the project, filtered by status when given. */
  rollouts: (filter: { status?: string } = {}) => `/rollouts${searchOf({ status: filter.status })}`,
  rollout: (id: string) => `/rollouts/${encodeURIComponent(id)}`,
  webhooks: '/webhooks',
  newWebhook: '/webhooks/new',
  webhook: (id: string) => `/webhooks/${encodeURIComponent(id)}`,
  alerts: '/alerts',
  /** A new alert rule, on a flag in an environment when given. */
  newAlert: (on: { flag?: string; environment?: string } = {}) =>
    `/alerts/new${searchOf({ flag: on.flag, env: on.environment })}`,
  alert: (id: string) => `/alerts/${encodeURIComponent(id)}`,
};
