import { ApiError, NetworkError } from './api-error.js';

/** A query string's values; undefined and empty strings are left out, arrays repeat the name. */
export type Query = Record<string, string | number | readonly string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  /** The admin key, sent as `Authorization: Bearer`. */
  key: string;
  /** Called on any 401: the key is unknown or was revoked. */
  onUnauthorized: () => void;
  /** The server's origin; the page's own when empty. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** `?a=1&tag=x&tag=y`, or '' when nothing is set. */
export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (typeof value === 'string' || typeof value === 'number') params.append(name, String(value));
    else for (const v of value) params.append(name, v);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * The dashboard's only way to the server: JSON over HTTP with the admin key. Error answers become
 * {@link ApiError}s carrying the field the server names; a 401 signs the user out.
 *
 * @example
 * const api = new ApiClient({ key, onUnauthorized: signOut });
 * const page = await api.get<Page<FlagView>>('/api/v1/flags', { query: { project: 'default' } });
 */
export class ApiClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get key(): string {
    return this.options.key;
  }

  /** A URL of the API, with its query string. */
  url(path: string, query?: Query): string {
    return `${this.options.baseUrl ?? ''}${path}${queryString(query)}`;
  }

  /** Headers that authenticate a request made outside this client (the stream). */
  authorization(): Record<string, string> {
    return { authorization: `Bearer ${this.options.key}` };
  }

  /** Reports a refused key: the session ends. */
  unauthorized(): void {
    this.options.onUnauthorized();
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body: body ?? {} });
  }

  patch<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  put<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  delete<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, { ...options, ...(body === undefined ? {} : { body }) });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...this.authorization(), accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new NetworkError('the server could not be reached: check that it is running');
    }
    if (response.status === 401) this.options.onUnauthorized();
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) throw toApiError(response.status, body, text);
    return body as T;
  }
}

function toApiError(status: number, body: unknown, text: string): ApiError {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message =
    typeof b.message === 'string' ? b.message : text.slice(0, 200) || `the server answered ${status}`;
  return new ApiError(
    status,
    typeof b.error === 'string' ? b.error : `HTTP_${status}`,
    message,
    typeof b.field === 'string' ? b.field : undefined,
    b,
  );
}
