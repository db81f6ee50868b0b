import { CliError, EXIT, exitCodeForStatus } from './exit-codes.js';

/** How long one request may take before the server counts as unreachable. */
const REQUEST_TIMEOUT_MS = 10_000;

/** An error response of the server: its status, its `error` code and its message. */
export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message, exitCodeForStatus(status));
  }
}

export type Query = Record<string, string | readonly string[] | undefined>;

/** A small JSON client of the Switchboard HTTP API, authenticated with one API key. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T>(path: string, query: Query, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }

  patch<T>(path: string, query: Query, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, query, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {});
  }

  /** Sends one request; a non-2xx answer becomes an {@link ApiError}, no answer a CliError (exit 3). */
  async request<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
    const url = this.url(path, query);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the Switchboard server at ${this.baseUrl} (${networkReason(error)}); ` +
          'is it running? Point --url or SWITCHBOARD_URL at it',
        EXIT.unreachable,
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
      const message =
        typeof fields.message === 'string' ? fields.message : `${method} ${path}: HTTP ${response.status}`;
      const code = typeof fields.error === 'string' ? fields.error : `HTTP_${response.status}`;
      throw new ApiError(response.status, code, message, parsed);
    }
    return parsed as T;
  }

  private url(path: string, query: Query): string {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const item of typeof value === 'string' ? [value] : value) url.searchParams.append(name, item);
    }
    return url.toString();
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The most telling part of a fetch failure: ECONNREFUSED, ENOTFOUND, a timeout... */
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
