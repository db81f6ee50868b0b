/**
 * A load helper of the stress tests: runs loops of requests of several kinds at once against one
 * server for a while, then reports, per loop, the answers by status and the latencies. Started by a
 * stress test through {@link IpcChild} with a {@link LoadSetup}; sends one `done` message.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { percentile } from '../../../bench/propagation/propagation-summary.js';
import type { FromLoadHelper, LoadLoop, LoadSetup, LoopReport } from './load-protocol.js';

const setup = JSON.parse(process.argv[2] ?? '') as LoadSetup;
const send = (message: FromLoadHelper) => process.send?.(message);
const MAX_SAMPLES = 5;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(
  agent: Agent,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${setup.url}${path}`, {
      method,
      agent,
      headers: {
        authorization: `Bearer ${key}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
    });
    req.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Opens a stream, resolves with its status once the first event arrived, and hangs up. */
function churnStream(agent: Agent, key: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${setup.url}/api/v1/sdk/stream`, {
      agent,
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    });
    req.on('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        req.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
        return;
      }
      response.once('data', () => {
        req.destroy();
        resolve({ status: 200, headers: response.headers, body: '' });
      });
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

let sequence = 0;

/** One request of the loop's kind. */
async function once(loop: LoopLoad): Promise<Answer> {
  const n = sequence++;
  const context = { targetingKey: `user-${process.pid}-${n % 10_000}`, plan: n % 3 === 0 ? 'pro' : 'free' };
  switch (loop.spec.kind) {
    case 'evaluate':
      return call(loop.agent, 'POST', '/api/v1/client/evaluate', loop.spec.key, { context });
    case 'ofrep':
      return call(loop.agent, 'POST', `/ofrep/v1/evaluate/flags/${setup.flag}`, loop.spec.key, { context });
    case 'events': {
      const events = Array.from({ length: loop.spec.batchSize ?? 50 }, (_, i) => ({
        kind: 'exposure',
        flag: setup.flag,
        variant: i % 2 === 0 ? 'on' : 'off',
        unit: `unit-${(n * 50 + i) % 100_000}`,
      }));
      return call(
        loop.agent,
        'POST',
        '/api/v1/events',
        loop.spec.key,
        { events },
        {
          'idempotency-key': `load-${process.pid}-${n}`,
        },
      );
    }
    case 'flag-edit': {
      const path = `/api/v1/flags/${setup.flag}/environments/production`;
      const view = await call(loop.agent, 'GET', path, loop.spec.key);
      if (view.status !== 200) return view;
      const { version, enabled } = JSON.parse(view.body) as { version: number; enabled: boolean };
      return call(loop.agent, 'POST', `${path}/${enabled ? 'disable' : 'enable'}`, loop.spec.key, {
        version,
      });
    }
    case 'stream-churn':
      return churnStream(loop.agent, loop.spec.key);
  }
}

interface LoopLoad {
  spec: LoadLoop;
  agent: Agent;
  latencies: number[];
  statuses: Record<string, number>;
  missingRetryAfter: number;
  samples: string[];
}

async function worker(loop: LoopLoad, until: number, intervalMs: number): Promise<void> {
  let next = performance.now();
  while (Date.now() < until) {
    const started = performance.now();
    try {
      const answer = await once(loop);
      loop.latencies.push(performance.now() - started);
      const status = String(answer.status);
      loop.statuses[status] = (loop.statuses[status] ?? 0) + 1;
      if (answer.status === 429 && answer.headers['retry-after'] === undefined) loop.missingRetryAfter++;
      if (answer.status >= 400 && answer.status !== 429 && loop.samples.length < MAX_SAMPLES)
        loop.samples.push(`${answer.status} ${answer.body.slice(0, 300)}`);
    } catch (error) {
      loop.statuses.error = (loop.statuses.error ?? 0) + 1;
      if (loop.samples.length < MAX_SAMPLES) loop.samples.push(String(error));
    }
    if (intervalMs > 0) {
      next += intervalMs;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function report(loop: LoopLoad): LoopReport {
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    name: loop.spec.name ?? loop.spec.kind,
    kind: loop.spec.kind,
    requests: loop.latencies.length + (loop.statuses.error ?? 0),
    statuses: loop.statuses,
    missingRetryAfter: loop.missingRetryAfter,
    p50Ms: round(percentile(loop.latencies, 0.5)),
    p99Ms: round(percentile(loop.latencies, 0.99)),
    maxMs: round(loop.latencies.reduce((max, ms) => Math.max(max, ms), 0)),
    samples: loop.samples,
  };
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') process.exit(0);
});

try {
  const until = Date.now() + setup.durationMs;
  const loops: LoopLoad[] = setup.loops.map((spec) => ({
    spec,
    // Streams hang up after their first event: a kept-alive socket would be of no use to them.
    agent: new Agent({ keepAlive: spec.kind !== 'stream-churn', maxSockets: spec.concurrency }),
    latencies: [],
    statuses: {},
    missingRetryAfter: 0,
    samples: [],
  }));
  await Promise.all(
    loops.flatMap((loop) => {
      const rate = loop.spec.ratePerSecond;
      const intervalMs = rate === undefined ? 0 : (1000 * loop.spec.concurrency) / rate;
      return Array.from({ length: loop.spec.concurrency }, () => worker(loop, until, intervalMs));
    }),
  );
  for (const loop of loops) loop.agent.destroy();
  send({ type: 'done', reports: loops.map(report) });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
