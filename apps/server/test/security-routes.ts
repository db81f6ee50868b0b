import type { TestApp } from './harness.js';

/** One operation of the OpenAPI document. */
export interface DocumentedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path, with `{param}` placeholders. */
  template: string;
  /** Whether the route requires a key (its operation lists `security`). */
  secured: boolean;
  /** The names of its documented query parameters. */
  queryParams: string[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every operation the app documents, so that a new route is covered without editing the tests. */
export async function documentedRoutes(t: TestApp): Promise<DocumentedRoute[]> {
  const { body } = await t.request('GET', '/docs/json');
  const paths = body.paths as Record<
    string,
    Record<string, { security?: unknown[]; parameters?: { in: string; name: string }[] }>
  >;
  const routes: DocumentedRoute[] = [];
  for (const [template, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const upper = method.toUpperCase() as DocumentedRoute['method'];
      if (!METHODS.includes(upper)) continue;
      routes.push({
        method: upper,
        template,
        secured: (operation.security ?? []).length > 0,
        queryParams: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  }
  return routes;
}

/** The routes a client key may call: evaluation for its environment and its change signal, as browsers do. */
export function isClientRoute(route: DocumentedRoute): boolean {
  return route.template.startsWith('/api/v1/client/') || route.template.startsWith('/ofrep/');
}

/** Routes with a body. */
export function takesBody(route: DocumentedRoute): boolean {
  return route.method !== 'GET' && route.method !== 'DELETE';
}

export const routeName = (route: DocumentedRoute) => `${route.method} ${route.template}`;

/** A well-formed id that names nothing. */
export const ABSENT_ID = '00000000-0000-4000-8000-000000000000';

/** The route's URL with its parameters filled with `values` (by name), else with an absent id. */
export function urlOf(route: DocumentedRoute, values: Record<string, string>): string {
  return route.template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? ABSENT_ID),
  );
}

/** An API key anywhere in text. */
export const API_KEY_PATTERN = /sb_(admin|server|client)_[0-9A-Za-z]{32}/;
