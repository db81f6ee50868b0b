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

/** Paths of the pages, for links. */
export const paths = {
  flags: '/flags',
  newFlag: '/flags/new',
  flag: (key: string, environment?: string) =>
    `/flags/${encodeURIComponent(key)}${environment === undefined ? '' : `?env=${encodeURIComponent(environment)}`}`,
  segments: '/segments',
  newSegment: '/segments/new',
  segment: (key: string) => `/segments/${encodeURIComponent(key)}`,
  audit: (filter: { flag?: string } = {}) =>
    `/audit${filter.flag === undefined ? '' : `?flag=${encodeURIComponent(filter.flag)}`}`,
  keys: '/keys',
};
