import type { z } from 'zod';
import type { PublicApiKey } from '../features/api-keys/api-key-service.js';
import type { environmentViewSchema, flagViewSchema, serveSchema } from '../features/flags/flag-schemas.js';

/** The shapes the CLI reads from the server, taken from the server's own response schemas. */
export type FlagView = z.infer<typeof flagViewSchema>;
export type EnvironmentView = z.infer<typeof environmentViewSchema>;
export type Serve = z.infer<typeof serveSchema>;
export type KeyView = Omit<PublicApiKey, 'projectId' | 'environmentId'>;
export type CreatedKey = KeyView & { key: string };

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** The path of a flag, and of its configuration in one environment. */
export function flagPath(key: string, environment?: string, action?: string): string {
  const base = `/api/v1/flags/${encodeURIComponent(key)}`;
  if (environment === undefined) return base;
  const env = `${base}/environments/${encodeURIComponent(environment)}`;
  return action === undefined ? env : `${env}/${action}`;
}
