import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';

/** The part of JSON Schema (as the OpenAPI document states request bodies) that the generators read. */
export interface JsonSchema {
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  minItems?: number;
}

/** A route that takes a body (POST, PUT, PATCH, DELETE) as the OpenAPI document lists it. */
export interface WriteRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * An evaluation: a query with a body, which never writes. It may answer a malformed context with a
   * result that carries the error (OpenFeature's "never throws") instead of a 4xx.
   */
  readOnly: boolean;
  /** The OpenAPI path, with `{param}` placeholders. */
  template: string;
  bodySchema: JsonSchema | undefined;
  /** Whether a body is valid for the route, by its documented schema; absent without a schema. */
  validate: ValidateFunction | undefined;
  /** The documented body of each 4xx status, where the route documents one. */
  errorBodies: Map<number, ValidateFunction>;
}

/** How a request is malformed; used to spread inputs and to count them. */
export type Category =
  | 'schema-mutation'
  | 'non-object-body'
  | 'invalid-json'
  | 'wrong-content-type'
  | 'empty-body'
  | 'deep-nesting'
  | 'prototype-pollution'
  | 'invalid-utf8'
  | 'over-body-limit';

export const CATEGORIES: readonly Category[] = [
  'schema-mutation',
  'non-object-body',
  'invalid-json',
  'wrong-content-type',
  'empty-body',
  'deep-nesting',
  'prototype-pollution',
  'invalid-utf8',
  'over-body-limit',
];

export interface MalformedRequest {
  category: Category;
  /** Undefined: no body at all. */
  payload: string | Buffer | undefined;
  /** Undefined: no Content-Type header. */
  contentType: string | undefined;
  ifMatch: string | undefined;
}

/** Bodies nested deeper than this are malformed whatever their schema says (the stores' JSON must stay shallow). */
export const DEPTH_BEYOND_ANY_LIMIT = 200;

/** Raw JSON text spliced into a body as is: nesting too deep to build as values, poisoned keys. */
class RawJson {
  constructor(readonly text: string) {}
}

type Tree = null | boolean | number | string | RawJson | Tree[] | { [key: string]: Tree };

/** Serialises a body tree; own `__proto__` keys and raw text survive (JSON.stringify would do the former too). */
export function serialize(tree: Tree): string {
  if (tree instanceof RawJson) return tree.text;
  if (Array.isArray(tree)) return `[${tree.map(serialize).join(',')}]`;
  if (tree !== null && typeof tree === 'object') {
    return `{${Object.keys(tree)
      .map((k) => `${JSON.stringify(k)}:${serialize(tree[k] ?? null)}`)
      .join(',')}}`;
  }
  return JSON.stringify(tree) ?? 'null';
}

type Path = (string | number)[];

/** Every path to a node of the tree (the root is `[]`), a few levels deep. */
function pathsOf(tree: Tree, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (path.length >= 6 || tree instanceof RawJson) return out;
  if (Array.isArray(tree)) {
    for (const [i, child] of tree.entries()) pathsOf(child, [...path, i], out);
  } else if (tree !== null && typeof tree === 'object') {
    for (const key of Object.keys(tree)) pathsOf(tree[key] ?? null, [...path, key], out);
  }
  return out;
}

/** A copy of the tree with the node at `path` replaced by `update(node)`, or removed when it returns undefined. */
function updateAt(tree: Tree, path: Path, update: (node: Tree) => Tree | undefined): Tree | undefined {
  const [head, ...rest] = path;
  if (head === undefined) return update(tree);
  if (Array.isArray(tree) && typeof head === 'number') {
    const child = updateAt(tree[head] ?? null, rest, update);
    return child === undefined
      ? tree.filter((_, i) => i !== head)
      : tree.map((c, i) => (i === head ? child : c));
  }
  if (tree !== null && typeof tree === 'object' && !(tree instanceof RawJson) && typeof head === 'string') {
    const child = updateAt((tree as Record<string, Tree>)[head] ?? null, rest, update);
    // fromEntries defines own properties, so a key named __proto__ stays a key.
    return Object.fromEntries(
      Object.entries(tree).flatMap(([k, v]) =>
        k === head ? (child === undefined ? [] : [[k, child]]) : [[k, v]],
      ),
    );
  }
  return tree;
}

function addEntry(tree: Tree, key: string, value: Tree): Tree {
  if (Array.isArray(tree)) return [...tree, value];
  if (tree !== null && typeof tree === 'object' && !(tree instanceof RawJson)) {
    return Object.fromEntries([...Object.entries(tree), [key, value]]);
  }
  return value;
}

function nested(depth: number, shape: 'array' | 'object' | 'mixed'): RawJson {
  if (shape === 'array') return new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  if (shape === 'object') return new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
  return new RawJson(`${'[{"a":'.repeat(depth / 2)}null${'}]'.repeat(depth / 2)}`);
}

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 4,
});

/** Values that are wrong almost anywhere: other types, extremes, odd text, nesting. */
const hostileValue: fc.Arbitrary<Tree> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<Tree>(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      2 ** 31,
      2 ** 53 + 2,
      5e-324,
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udc00x\ud800',
      '\ufeff',
      '\uffff',
      '\u202egnp.exe',
      '💥'.repeat(40),
      '__proto__',
      'constructor',
      'toString',
      '../../etc/passwd',
      "'; drop table flags; --",
      '%00%s%n',
      '{{7*7}}',
      '<script>alert(1)</script>',
      'Not A Slug',
      'null',
      [],
      {},
      [null],
      [[[]]],
      { '': '' },
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: loneSurrogates },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Tree> },
  {
    weight: 1,
    arbitrary: fc.constantFrom(101, 201, 1_025, 10_001, 100_001, 600_000).map((n) => 'x'.repeat(n)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(250, 1_000, 10_000, 100_000),
        fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>,
      )
      .map(([depth, shape]) => nested(depth, shape)),
  },
);

const extraKey = fc.oneof(
  fc.constantFrom(
    'extra',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'id',
    'salt',
    'isAdmin',
    '',
  ),
  fc.string({ maxLength: 12 }),
);

const mutation = fc.record({
  op: fc.constantFrom('remove', 'replace', 'add'),
  at: fc.nat(),
  key: extraKey,
  value: hostileValue,
});

/** The base body with one to three nodes removed, replaced by hostile values, or given extra entries. */
function mutatedBody(base: Tree): fc.Arbitrary<Tree> {
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => {
    let tree = base;
    for (const m of mutations) {
      const paths = pathsOf(tree);
      const path = paths[m.at % paths.length] ?? [];
      if (m.op === 'remove') tree = updateAt(tree, path, () => undefined) ?? null;
      else if (m.op === 'replace') tree = updateAt(tree, path, () => m.value) ?? null;
      else tree = updateAt(tree, path, (node) => addEntry(node, m.key, m.value)) ?? null;
    }
    return tree;
  });
}

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON',
  'application/json;charset=UTF-16',
];
const OTHER_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'text/html',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/jsonx',
  'json',
  '',
  '*/*',
  ';',
];

const INVALID_JSON = [
  '{',
  '}',
  '{"key":}',
  "{'key':'x'}",
  '{"key":"x",}',
  '[1,2,]',
  'NaN',
  'Infinity',
  'undefined',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  '/* comment */ {}',
  '{"a":"raw\u0000control"}',
  '{"a":"bad \\x41 escape"}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  '{"a":tru}',
  '"unterminated',
  '{"__proto__":',
  '\u0000',
  '{"a":"\\ud800"',
];

const textEdit = fc.record({
  at: fc.nat(),
  edit: fc.constantFrom('truncate', 'delete', 'insert'),
  insert: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', "'", '\u0000', 'x', '/*', '\u0001'),
});

/** The JSON text of the body with one edit that (usually) breaks it. */
function brokenJson(base: Tree): fc.Arbitrary<string> {
  const text = serialize(base);
  return fc.oneof(
    fc.constantFrom(...INVALID_JSON),
    textEdit.map(({ at, edit, insert }) => {
      const i = at % (text.length + 1);
      if (edit === 'truncate') return text.slice(0, i);
      if (edit === 'delete') return text.slice(0, i) + text.slice(i + 1);
      return text.slice(0, i) + insert + text.slice(i);
    }),
  );
}

const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80],
  [0x80],
  [0xc3],
];

/** Printable header text that never parses as a version a resource here has (every version is below 1000). */
export const badIfMatch: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      '*',
      'W/',
      '"',
      '""',
      'W/""',
      '"abc"',
      '-1',
      '"-1"',
      '1.5',
      '"1.5"',
      '1e3',
      '0x1',
      '+1',
      '"1"x',
      'W/"1',
      '"1", "2"',
      '1,2',
      'null',
      'NaN',
      'Infinity',
      '2147483648',
      '"2147483648"',
      'W/"4294967296"',
      '9007199254740993',
      '99999999999999999999999',
      '1'.repeat(400),
    ),
    fc.integer({ min: 1_000, max: 2 ** 31 - 1 }).map((n) => `"${n}"`),
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
  )
  .filter((value) => {
    const m = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
    return m === null || Number(m[1]) >= 1_000;
  });

/**
 * Malformed requests for one route: every category of {@link Category}, built from a valid body of the
 * route so that most of each request looks right.
 */
export function malformedRequests(
  route: WriteRoute,
  validBody: unknown,
  bodyLimitBytes: number,
): fc.Arbitrary<MalformedRequest> {
  const base = (validBody ?? {}) as Tree;
  const ifMatch = fc.option(badIfMatch, { nil: undefined, freq: 2 });
  const request = (
    category: Category,
    payload: fc.Arbitrary<string | Buffer | undefined>,
    contentType: fc.Arbitrary<string | undefined>,
  ) => fc.record({ category: fc.constant(category), payload, contentType, ifMatch });
  const json = fc.constantFrom(...JSON_TYPES);
  const overLimit = [
    `{"name":"${'x'.repeat(bodyLimitBytes)}"}`,
    `[${'0,'.repeat(Math.ceil(bodyLimitBytes / 2))}0]`,
  ];
  const poisoned = fc
    .constantFrom(new RawJson('{"isAdmin":true}'), new RawJson('{"polluted":"yes","toString":null}'))
    .chain((payload) =>
      fc.record({ at: fc.nat(), viaConstructor: fc.boolean() }).map(({ at, viaConstructor }) => {
        const objects = pathsOf(base).filter((p) => {
          let node: Tree = base;
          for (const step of p) node = (node as Record<string, Tree>)[step] ?? null;
          return node !== null && typeof node === 'object' && !Array.isArray(node);
        });
        const path = objects[at % Math.max(objects.length, 1)] ?? [];
        const entry: [string, Tree] = viaConstructor
          ? ['constructor', Object.fromEntries([['prototype', payload]])]
          : ['__proto__', payload];
        return updateAt(base, path, (node) => addEntry(node, entry[0], entry[1])) ?? null;
      }),
    );
  const withBadBytes = fc
    .tuple(
      route.bodySchema === undefined ? fc.constant(base) : mutatedBody(base),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), { minLength: 1, maxLength: 4 }),
    )
    .map(([tree, cuts]) => {
      let bytes = Buffer.from(serialize(tree), 'utf8');
      for (const [at, seq] of cuts) {
        const i = at % (bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from(seq), bytes.subarray(i)]);
      }
      return bytes;
    });

  const categories: fc.WeightedArbitrary<MalformedRequest>[] = [
    { weight: 10, arbitrary: request('non-object-body', hostileValue.map(serialize), json) },
    { weight: 14, arbitrary: request('invalid-json', brokenJson(base), json) },
    {
      weight: 10,
      arbitrary: request(
        'wrong-content-type',
        fc.oneof(
          route.bodySchema === undefined ? fc.constant(serialize(base)) : mutatedBody(base).map(serialize),
          fc.constantFrom('key=x&kind=boolean', '<flag><key>x</key></flag>', '--xyz\r\n\r\n--xyz--', 'x'),
        ),
        fc.oneof(fc.constantFrom(...OTHER_TYPES), fc.constant(undefined)),
      ),
    },
    {
      weight: 4,
      arbitrary: request(
        'empty-body',
        fc.constantFrom('', undefined),
        fc.constantFrom('application/json', 'text/plain', undefined),
      ),
    },
    {
      weight: 6,
      arbitrary: request(
        'deep-nesting',
        fc
          .record({
            depth: fc.constantFrom(250, 1_000, 10_000, 100_000),
            shape: fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>,
            at: fc.nat(),
          })
          .map(({ depth, shape, at }) => {
            const paths = pathsOf(base);
            const path = paths[at % paths.length] ?? [];
            return serialize(updateAt(base, path, () => nested(depth, shape)) ?? null);
          }),
        json,
      ),
    },
    { weight: 6, arbitrary: request('prototype-pollution', poisoned.map(serialize), json) },
    { weight: 6, arbitrary: request('invalid-utf8', withBadBytes, json) },
    { weight: 1, arbitrary: request('over-body-limit', fc.constantFrom(...overLimit), json) },
  ];
  if (route.bodySchema !== undefined) {
    categories.push({
      weight: 40,
      arbitrary: request('schema-mutation', mutatedBody(base).map(serialize), json),
    });
  }
  return fc.oneof(...categories).map((r) => ({ ...r, [fc.toStringMethod]: () => describeRequest(r) }));
}

/** Values that replace each node of a valid body in turn, in {@link singleCorruptions}. */
const SWEEP_VALUES: Tree[] = [
  null,
  0,
  -1,
  true,
  '',
  '\u0000',
  'x'.repeat(100_001),
  {},
  [],
  [[]],
  nested(10_000, 'array'),
  nested(10_000, 'object'),
];

/**
 * Every corruption of one node of the valid body: each node replaced by each of a few hostile values,
 * removed, or given an extra entry. Systematic where the random generators are not: a 10,000-level
 * nesting reaches every field, not only the ones a random path happens to pick.
 */
export function singleCorruptions(validBody: unknown): MalformedRequest[] {
  const base = (validBody ?? {}) as Tree;
  const trees: Tree[] = [];
  for (const path of pathsOf(base)) {
    for (const value of SWEEP_VALUES) trees.push(updateAt(base, path, () => value) ?? null);
    if (path.length > 0) trees.push(updateAt(base, path, () => undefined) ?? null);
    trees.push(updateAt(base, path, (node) => addEntry(node, 'extra', 'x')) ?? null);
  }
  return trees.map((tree) => {
    const request: MalformedRequest = {
      category: 'schema-mutation',
      payload: serialize(tree),
      contentType: 'application/json',
      ifMatch: undefined,
    };
    return { ...request, [fc.toStringMethod]: () => describeRequest(request) };
  });
}

/** A short description of a request, for counterexamples (bodies can be a megabyte). */
export function describeRequest(r: MalformedRequest): string {
  const text =
    r.payload === undefined
      ? '(none)'
      : Buffer.isBuffer(r.payload)
        ? r.payload.toString('latin1')
        : r.payload;
  const shown = text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
  return `${r.category}: content-type ${JSON.stringify(r.contentType)}, if-match ${JSON.stringify(r.ifMatch)}, body ${JSON.stringify(shown)}`;
}

/** Compiles the documented body schemas (OpenAPI 3.0: `nullable`, no format checks). */
export function bodyValidator(schema: JsonSchema): ValidateFunction {
  return new Ajv({ strict: false, validateFormats: false, allErrors: false }).compile(schema);
}

/**
 * Whether the server must refuse the request whatever its headers: it has no parseable body, or a
 * body the route's documented schema refuses, or one that no route may accept (poisoned keys, nesting
 * beyond any limit). Bodies without a version (none, null) count too: every route that takes one
 * needs a version to change anything, and the requests here never carry a valid one.
 */
export function isMalformed(route: WriteRoute, request: MalformedRequest): boolean {
  if (request.category === 'over-body-limit') return true;
  const body = bodyAsParsed(request);
  if (!body.parsed) return true;
  if (route.validate === undefined) return true;
  if (body.value === undefined || body.value === null) return true;
  if (hasPoisonedKey(body.value)) return true;
  if (depthOf(keptBySchema(body.value, route.bodySchema)) > DEPTH_BEYOND_ANY_LIMIT) return true;
  return !route.validate(body.value);
}

/**
 * The body as the server keeps it: objects that do not refuse unknown keys drop them (zod strips
 * them), so deep nesting under an unknown key is harmless and proves nothing. Of the branches of a
 * union, the one keeping least.
 */
function keptBySchema(value: unknown, schema: JsonSchema | undefined): unknown {
  if (schema === undefined || value === null || typeof value !== 'object') return value;
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) {
    const kept = branches.map((branch) => keptBySchema(value, branch));
    return kept.reduce(
      (least, candidate) => (depthOf(candidate) < depthOf(least) ? candidate : least),
      value,
    );
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    return items === undefined ? value : value.map((item) => keptBySchema(item, items));
  }
  const properties = schema.properties;
  if (properties === undefined) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => schema.additionalProperties === false || Object.hasOwn(properties, key))
      .map(([key, child]) => [key, keptBySchema(child, properties[key])]),
  );
}

/** The body as the server would see it, or that it cannot parse one. */
function bodyAsParsed(request: MalformedRequest): { parsed: true; value: unknown } | { parsed: false } {
  if (request.payload === undefined || request.payload.length === 0)
    return { parsed: true, value: undefined };
  const text = Buffer.isBuffer(request.payload) ? request.payload.toString('utf8') : request.payload;
  const type = (request.contentType ?? '').toLowerCase();
  if (type.includes('json')) {
    try {
      // Fastify's parser drops a byte order mark.
      return { parsed: true, value: JSON.parse(text.replace(/^\ufeff/, '')) };
    } catch {
      return { parsed: false };
    }
  }
  if (type.startsWith('text/')) return { parsed: true, value: text };
  return { parsed: false };
}

/** Keys Fastify refuses (`onProtoPoisoning`, `onConstructorPoisoning`), anywhere in the body. */
function hasPoisonedKey(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Object.hasOwn(node, '__proto__')) return true;
    const ctor = (node as Record<string, unknown>).constructor;
    if (
      Object.hasOwn(node, 'constructor') &&
      ctor !== null &&
      typeof ctor === 'object' &&
      Object.hasOwn(ctor, 'prototype')
    ) {
      return true;
    }
    stack.push(...Object.values(node));
  }
  return false;
}

/** Nesting depth of a JSON value (a scalar is 0, `[]` is 1), without recursion. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    max = Math.max(max, depth + 1);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}
