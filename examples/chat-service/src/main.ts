// The chat service example: `npm run example:chat` beside a running Switchboard (`npm start`).
import type { AddressInfo } from 'node:net';
import { createClient } from '@switchboard/sdk';
import OpenAI from 'openai';
import { createChatService } from './chat-service.js';
import { CHAT_FLAG, createServerKey, ensureFlags, readAdminKey, STAND_IN_FLAG } from './setup.js';

const url = process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:7400';
const port = Number(process.env.PORT ?? 3000);

await ensureFlags({ url, adminKey: await readAdminKey(process.env) });
const serverKey =
  process.env.SWITCHBOARD_SERVER_KEY ??
  (await createServerKey({ url, adminKey: await readAdminKey(process.env) }));

const switchboard = createClient({ url, sdkKey: serverKey });
const ready = await switchboard.ready({ timeoutMs: 5000 });
if (ready.source !== 'server')
  throw new Error(`Switchboard at ${url} did not answer: ${ready.error ?? 'timeout'}`);

// No provider is reachable here: the gateway, serving the stand-in flag, answers with a simulated
// model. With OPENAI_BASE_URL and OPENAI_API_KEY set, the calls go there instead.
const openai = process.env.OPENAI_BASE_URL
  ? new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY })
  : new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: serverKey,
      defaultHeaders: { 'x-switchboard-flag': STAND_IN_FLAG },
    });

const server = createChatService({ switchboard, openai, flag: CHAT_FLAG });
server.listen(port, '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  console.log(
    `chat service listening on http://127.0.0.1:${address.port} (flag ${CHAT_FLAG}, Switchboard ${url})`,
  );
});

const stop = () => {
  server.close();
  // Flushes the generations and feedback not sent yet.
  void switchboard.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
