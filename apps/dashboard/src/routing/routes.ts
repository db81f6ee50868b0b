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

/** The views of a flag in one environment: its targeting (with the kill switch) or its results. */
export type FlagViewName = 'targeting' | 'results';

/** The view a flag page's `view` query names; targeting unless it names results. */
export function flagViewOf(search: URLSearchParams): FlagViewName {
  return search.get('view') === 'results' ? 'results' : 'targeting';
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
};
