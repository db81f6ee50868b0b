/** One difference between two JSON documents, at a dotted path (`rules.0.serve.variant`). */
export interface JsonChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A document absent at this path: missing, or null as a whole (what the audit log has before a create). */
function absent(value: unknown, path: string): boolean {
  return value === undefined || (value === null && path === '');
}

/** Every leaf of `value` as added (or removed), an empty container as one leaf. */
function leaves(value: unknown, path: string, kind: 'added' | 'removed'): JsonChange[] {
  const at = path === '' ? '(value)' : path;
  if (!isContainer(value) || Object.keys(value).length === 0) {
    return [kind === 'added' ? { path: at, kind, after: value } : { path: at, kind, before: value }];
  }
  return Object.entries(value).flatMap(([key, v]) => leaves(v, path === '' ? key : `${path}.${key}`, kind));
}

/**
 * The leaf-level differences from `before` to `after`: objects by key, arrays by position. A create
 * (nothing before) or a delete (nothing after) shows as every leaf added or removed.
 */
export function diffJson(before: unknown, after: unknown, path = ''): JsonChange[] {
  if (absent(before, path) && absent(after, path)) return [];
  if (absent(before, path)) return leaves(after, path, 'added');
  if (absent(after, path)) return leaves(before, path, 'removed');
  if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) =>
      diffJson(before[key], after[key], path === '' ? key : `${path}.${key}`),
    );
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path === '' ? '(value)' : path, kind: 'changed', before, after }];
}
