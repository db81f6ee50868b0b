import fc from 'fast-check';
import { badIfMatch } from './malformed-requests.js';
import type { DocumentedRoute } from './security-routes.js';

/**
 * What the rest of a request can get wrong, beside its body (see malformed-requests.ts for bodies):
 * path parameters, query strings, and headers. Used against every documented route, GET included.
 */
export interface HostileRequest {
  /** Path and query string, already encoded (or deliberately mis-encoded). */
  url: string;
  headers: Record<string, string | string[]>;
  payload: string | undefined;
}

/** Query values that are wrong for most parameters: other types, extremes, odd text, bad encodings. */
const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '-1',
    '0',
    '1.5',
    '1e309',
    'NaN',
    'Infinity',
    'true',
    'null',
    '[]',
    '{}',
    '%',
    '%zz',
    '%FF',
    '%ED%A0%80',
    '%00',
    '%C0%AF',
    encodeURIComponent('💥ü\u202e'),
    encodeURIComponent('\ufeff'),
    '2026-13-45T99:99:99Z',
    '..%2F..%2Fetc%2Fpasswd',
    encodeURIComponent("'; drop table flags; --"),
    'a,b,,c',
    'x'.repeat(2_000),
    'x'.repeat(100_000),
    '9'.repeat(400),
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.integer().map(String),
);

const hostileQueryName = fc.constantFrom(
  '__proto__',
  'constructor',
  'a[b]',
  'flags[]',
  '',
  '%00',
  'x'.repeat(1_000),
);

/** Path segments for `{param}` placeholders: traversal, encodings, unicode, beyond the router's limit. */
const hostilePathValue = fc.constantFrom(
  '..',
  '%2e%2e%2f%2e%2e',
  '%00',
  '%FF',
  '%ED%A0%80',
  encodeURIComponent('💥'),
  encodeURIComponent(' '),
  'x'.repeat(600),
  '-1',
  'null',
  '__proto__',
);

/** Authorization headers that carry no usable key, or more than one. */
function hostileAuthorization(adminKey: string): fc.Arbitrary<string | string[] | undefined> {
  return fc.constantFrom(
    undefined,
    '',
    'Bearer',
    'Bearer ',
    `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}`,
    `Token ${adminKey}`,
    `Bearer ${adminKey} ${adminKey}`,
    `Bearer ${adminKey}\u0000`,
    `Bearer ${'x'.repeat(10_000)}`,
    `Bearer ${adminKey.slice(0, -1)}`,
    [`Bearer ${adminKey}`, 'Bearer other'],
    'Bearer \u00e9\u00e8',
  );
}

const hostileContentType = fc.constantFrom<string | string[] | undefined>(
  undefined,
  '',
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  ['application/json', 'text/plain'],
  ['application/json', 'application/json'],
  `application/json; ${'x='.repeat(5_000)}`,
);

/**
 * A request to `route` with its parameters, query and headers broken in one to several ways. The key is
 * usually the admin key, so that the route itself (not only authentication) sees what is broken.
 */
export function hostileRequests(
  route: DocumentedRoute,
  values: Record<string, string>,
  adminKey: string,
): fc.Arbitrary<HostileRequest> {
  const pathValue = fc.option(hostilePathValue, { nil: undefined, freq: 4 });
  const query = fc.array(
    fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...route.queryParams, 'extra') }, hostileQueryName),
      hostileQueryValue,
    ),
    { maxLength: 6 },
  );
  const authorization = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string | string[] | undefined>(`Bearer ${adminKey}`) },
    { weight: 1, arbitrary: hostileAuthorization(adminKey) },
  );
  const extraHeaders = fc.dictionary(
    fc.constantFrom(
      'if-match',
      'idempotency-key',
      'last-event-id',
      'accept',
      'x-api-key',
      'x-forwarded-for',
      'origin',
      'x-huge',
    ),
    fc.oneof(badIfMatch, hostileQueryValue.map(decodeSafely), fc.constant('v'.repeat(64 * 1024))),
    { maxKeys: 3 },
  );
  const payload =
    route.method === 'GET' || route.method === 'DELETE'
      ? fc.constantFrom<string | undefined>(undefined, undefined, '{}')
      : fc.constantFrom<string | undefined>(undefined, '', '{}', 'null', '[]', '{"version":999}');
  return fc
    .record({ pathValue, query, authorization, contentType: hostileContentType, extraHeaders, payload })
    .map(
      ({
        pathValue: broken,
        query: pairs,
        authorization: auth,
        contentType,
        extraHeaders: extra,
        payload: body,
      }) => {
        let first = true;
        const path = route.template.replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = first && broken !== undefined ? broken : encodeURIComponent(values[name] ?? 'x');
          first = false;
          return value;
        });
        const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
        const headers: Record<string, string | string[]> = { ...extra };
        if (auth !== undefined) headers.authorization = auth;
        if (contentType !== undefined) headers['content-type'] = contentType;
        return { url: search === '' ? path : `${path}?${search}`, headers, payload: body };
      },
    );
}

/** Header values cannot hold every character a query can: decode where possible, keep printable ASCII. */
function decodeSafely(value: string): string {
  let text = value;
  try {
    text = decodeURIComponent(value);
  } catch {
    // Not decodable: sent as written.
  }
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** A short description of a request, for counterexamples. */
export function describeHostile(r: HostileRequest): string {
  const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…(${s.length})` : s);
  const headers = Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(clip) : clip(v)]),
  );
  return `${clip(r.url)} headers ${JSON.stringify(headers)} body ${JSON.stringify(r.payload)}`;
}
