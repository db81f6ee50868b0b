import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS, startTestApp, type TestApp } from '../test/harness.js';
import { describeHostile, type HostileRequest, hostileRequests } from '../test/malformed-headers.js';
import { type DocumentedRoute, documentedRoutes, routeName } from '../test/security-routes.js';
import { dumpStore } from '../test/store-dump.js';

/** Random requests per route, by dialect (PostgreSQL costs a round trip per table for each dump). */
export interface HostileRoutesRuns {
  sqlite: number;
  postgres: number;
}

/** What a run measured, for bench/results/stress.json. */
export interface HostileRoutesFigures {
  dialect: string;
  routes: number;
  requests: number;
  serverErrors: number;
  slowestAnswerMs: number;
}
/** A request not answered within this is a hang (the slowest route answers in milliseconds). */
const ANSWER_BOUND_MS = 5_000;
const NOW = new Date('2026-06-01T00:00:00.000Z');
const FLAG = 'checkout-v2';

const isStream = (route: DocumentedRoute) => route.template.endsWith('/stream');

/** Sends over a real socket (streams never end, so inject would wait forever); the status, or undefined when no client could send it. */
function statusOverSocket(base: string, r: HostileRequest, method: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest(`${base}${r.url}`, { method, headers: r.headers });
    } catch {
      // Node refuses to send it (a character no header may hold): no client can.
      resolve(undefined);
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms`));
    }, ANSWER_BOUND_MS);
    req.on('response', (response) => {
      clearTimeout(timer);
      resolve(response.statusCode);
      req.destroy();
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(r.payload);
  });
}

/**
 * Every documented route, GET included, with its path parameters, query string and headers broken
 * (bodies: malformed-bodies.property.test.ts): no 5xx, an answer within a bound, and nothing stored
 * from a request that was refused. Run reduced in `npm test` and in full by `npm run test:stress`.
 */
export function describeHostileRoutes(
  runsPerRoute: HostileRoutesRuns,
  report: (figures: HostileRoutesFigures) => void = () => {},
): void {
  describe.each(DIALECTS)('hostile paths, query strings and headers on every route on %s', (dialect) => {
    let t: TestApp;
    let base: string;
    let routes: DocumentedRoute[];
    let baseline: Record<string, string[]>;
    const values = { key: FLAG, env: 'production', project: 'default', provider: 'openai', model: 'gpt-4o' };

    beforeAll(async () => {
      t = await startTestApp(dialect, {}, { clock: () => NOW });
      base = await t.http.listen({ port: 0, host: '127.0.0.1' });
      const created = await t.request('POST', '/api/v1/flags', {
        key: FLAG,
        kind: 'boolean',
        variants: [
          { key: 'on', value: true },
          { key: 'off', value: false },
        ],
      });
      expect(created.status).toBe(201);
      routes = await documentedRoutes(t);
      // The first request records when the admin key was last used, off the request path (with a fixed
      // clock, later ones write the same value): wait for it before taking the baseline.
      await vi.waitFor(async () => {
        const keys = await t.database.db.selectFrom('api_keys').select('last_used_at').execute();
        expect(keys.map((k) => k.last_used_at)).toEqual([NOW.toISOString()]);
      });
      baseline = await dumpStore(t.database);
    });
    afterAll(async () => {
      await t?.destroy();
    });

    it('covers every documented route', () => {
      expect(routes.length).toBeGreaterThan(40);
      expect(routes.filter(isStream).map(routeName)).toEqual([
        'GET /api/v1/sdk/stream',
        'GET /api/v1/client/stream',
      ]);
    });

    it('answers every route without a 5xx or a hang, and stores nothing from a refused request', async () => {
      let sent = 0;
      let slowest = 0;
      for (const route of routes) {
        await fc.assert(
          fc.asyncProperty(hostileRequests(route, values, t.adminKey), async (request) => {
            const context = `${routeName(route)}: ${describeHostile(request)}`;
            let status: number | undefined;
            const started = performance.now();
            if (isStream(route)) {
              status = await statusOverSocket(base, request, route.method);
              fc.pre(status !== undefined);
            } else {
              const answered = await Promise.race([
                t.http.inject({
                  method: route.method,
                  url: request.url,
                  headers: request.headers,
                  ...(request.payload === undefined ? {} : { payload: request.payload }),
                }),
                new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ANSWER_BOUND_MS)),
              ]);
              expect(answered, `${context}: no answer within ${ANSWER_BOUND_MS} ms`).not.toBe('late');
              if (answered === 'late') return;
              status = answered.statusCode;
              expect(status, `${context} answered ${answered.body.slice(0, 200)}`).toBeLessThan(500);
            }
            sent += 1;
            slowest = Math.max(slowest, performance.now() - started);
            expect(status, context).toBeLessThan(500);
            if ((status ?? 0) >= 400 && route.method !== 'GET') {
              expect(await dumpStore(t.database), `the store changed after ${context}`).toEqual(baseline);
            } else if (route.method !== 'GET') {
              // A request the route accepted may change the store: what follows compares with that.
              baseline = await dumpStore(t.database);
            }
          }),
          { numRuns: runsPerRoute[dialect], endOnFailure: true },
        );
      }
      expect(sent).toBeGreaterThan(routes.length * runsPerRoute[dialect] * 0.8);
      report({
        dialect,
        routes: routes.length,
        requests: sent,
        serverErrors: 0,
        slowestAnswerMs: Math.round(slowest),
      });
    });
  });
}
