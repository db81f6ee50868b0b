/** A server under load: its endpoints to load, and how to stop it. */
import type { LoadJob } from './load.js';

/** One endpoint to load, and the status every answer must have. */
export interface TargetEndpoint {
  /** Names the row: `POST /api/v1/client/evaluate`. */
  endpoint: string;
  request: Pick<LoadJob, 'url' | 'method' | 'headers' | 'bodies'>;
  expectedStatus: number;
}

export interface BenchTarget {
  /** `switchboard`, or the peer's npm package name. */
  engine: string;
  version: string;
  endpoints: TargetEndpoint[];
  /** What a reader of the table should know (printed under it). */
  notes: string[];
  stop(): Promise<void>;
}

/** A JSON request to a server that must answer 2xx; the body parsed. */
export async function jsonRequest<T>(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
