/** What a JSON request to a server process answered. */
export interface JsonResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; assertions check them.
  body: any;
}

/**
 * A JSON request to a server's base URL with a key (admin or server). A network failure (refused,
 * reset: the process died) rejects; any HTTP answer resolves, whatever its status. A body that is not
 * JSON (NDJSON, text) is returned as text.
 */
export async function requestJson(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // NDJSON (the export) and other text stay text.
  const json = response.headers.get('content-type')?.startsWith('application/json') === true;
  return { status: response.status, body: json && text !== '' ? JSON.parse(text) : text };
}

/** Resolves when `check` holds; fails naming `what` after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  pollMs = 20,
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** The lines of an NDJSON answer, parsed. */
export function ndjson(text: unknown): Record<string, unknown>[] {
  if (typeof text !== 'string' || text === '') return [];
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
