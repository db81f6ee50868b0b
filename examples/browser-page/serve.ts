// The browser page example: `npm run example:browser` beside a running Switchboard (`npm start`).
// Sets up its flag and a client key, bundles the page with esbuild, and serves it.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';

const FLAG = 'welcome-banner';
const ENVIRONMENT = 'production';
const here = import.meta.dirname;

const url = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:7400';
const port = Number(process.env.PORT ?? 5173);

async function adminKey(): Promise<string> {
  if (process.env.SWITCHBOARD_ADMIN_KEY) return process.env.SWITCHBOARD_ADMIN_KEY;
  const file = join(process.env.SWITCHBOARD_DATA_DIR ?? 'data', 'admin-key');
  return (
    await readFile(file, 'utf8').catch(() => {
      throw new Error(
        `no admin key: set SWITCHBOARD_ADMIN_KEY, or run from where ${file} is (npm start writes it)`,
      );
    })
  ).trim();
}

async function call(method: string, path: string, body: unknown, tolerated: number[] = []): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await adminKey()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (tolerated.includes(response.status)) return undefined;
  const answer = await response.json();
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

// The flag, when missing: a string, on in production, serving the new banner; killed, the classic one.
const created = await call(
  'POST',
  '/api/v1/flags',
  {
    key: FLAG,
    kind: 'string',
    description: 'The banner of the browser page example',
    variants: [
      { key: 'classic', value: 'Welcome back!' },
      { key: 'assistant', value: 'Meet your new AI assistant' },
    ],
  },
  [409],
);
if (created !== undefined) {
  await call('PATCH', `/api/v1/flags/${FLAG}/environments/${ENVIRONMENT}`, {
    version: 0,
    enabled: true,
    offVariant: 'classic',
    fallthrough: { variant: 'assistant' },
  });
}

// A client key can only evaluate, in one environment: it is safe to put in a page.
const clientKey =
  process.env.SWITCHBOARD_CLIENT_KEY ??
  (
    (await call('POST', '/api/v1/keys', {
      name: 'browser page example',
      kind: 'client',
      project: 'default',
      environment: ENVIRONMENT,
    })) as { key: string }
  ).key;

const bundle = await build({
  entryPoints: [join(here, 'src/page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  conditions: ['switchboard-source'],
  logLevel: 'warning',
});
const script = bundle.outputFiles[0]?.text ?? '';
const config = JSON.stringify({ url, clientKey, flag: FLAG }).replace(/</g, '\\u003c');
const html = (await readFile(join(here, 'index.html'), 'utf8')).replace('"__SWITCHBOARD_CONFIG__"', config);

const server = createServer((request, response) => {
  if (request.url === '/' || request.url === '/index.html') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  } else if (request.url === '/page.js') {
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  console.log(`browser page at http://127.0.0.1:${address.port}/ (flag ${FLAG}, Switchboard ${url})`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
