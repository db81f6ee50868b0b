import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocsServer, startDocsServer } from '../../docs/test/docs-server.js';
import { type ExampleProcess, startExample } from '../example-process.js';

interface ExportedEvent {
  kind: string;
  generationId?: string;
  thumbs?: string;
  variant?: string;
}

async function exportEvents(server: DocsServer): Promise<ExportedEvent[]> {
  const url = `${server.env.SWITCHBOARD_URL}/api/v1/events/export?environment=production&flag=chat-model`;
  const exported = await fetch(url, {
    headers: { authorization: `Bearer ${server.env.SWITCHBOARD_ADMIN_KEY}` },
  });
  return (await exported.text())
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ExportedEvent);
}

// The example as a user runs it: `npm run example:chat` beside a running server, given nothing but the
// server's URL and data dir (where it finds the admin key). The tests run in order, on one service.
describe('examples/chat-service', () => {
  let server: DocsServer;
  let example: ExampleProcess;
  let base: string;
  const answers: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await startDocsServer({ demo: false });
    const started = await startExample(
      'example:chat',
      {
        SWITCHBOARD_URL: server.env.SWITCHBOARD_URL ?? '',
        SWITCHBOARD_DATA_DIR: server.env.SWITCHBOARD_DATA_DIR ?? '',
        PORT: '0',
      },
      /chat service listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    example = started.example;
    base = started.match[1] ?? '';
  }, 60_000);

  afterAll(async () => {
    await example?.stop();
    await server?.close();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it("answers with the model of the user's variant, the same variant every time", async () => {
    for (const userId of ['user-1', 'user-2']) {
      const chat = await post('/chat', { userId, message: 'How do I rotate an API key?' });
      expect(chat.status, JSON.stringify(chat.body)).toBe(200);
      expect(chat.body.answer).toEqual(expect.stringMatching(/\S/));
      expect(chat.body.model).toBe(chat.body.variant === 'control' ? 'gpt-4o' : 'gpt-4o-mini');
      expect(chat.body.generationId).toEqual(expect.any(String));
      answers.push(chat.body);
      const again = await post('/chat', { userId, message: 'And revoke one?' });
      expect(again.body.variant, 'a user keeps their variant').toBe(chat.body.variant);
    }
    expect(
      await post('/feedback', { userId: 'user-1', generationId: answers[0]?.generationId, thumbs: 'up' }),
    ).toMatchObject({
      status: 202,
    });
  });

  it('refuses bad requests with a 400 naming the field', async () => {
    expect(await post('/chat', { userId: 'user-1' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('message') },
    });
    expect(
      await post('/feedback', { userId: 'user-1', generationId: 'g', thumbs: 'sideways' }),
    ).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('thumbs') },
    });
  });

  it('answers 503 with Retry-After once the flag is killed', async () => {
    const flagUrl = `${server.env.SWITCHBOARD_URL}/api/v1/flags/chat-model/environments/production`;
    const headers = {
      authorization: `Bearer ${server.env.SWITCHBOARD_ADMIN_KEY}`,
      'content-type': 'application/json',
    };
    const { version } = (await (await fetch(flagUrl, { headers })).json()) as { version: number };
    const killed = await fetch(`${flagUrl}/disable`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ version }),
    });
    expect(killed.status).toBe(200);
    let chat = await post('/chat', { userId: 'user-1', message: 'Still there?' });
    for (let attempt = 0; attempt < 50 && chat.status !== 503; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      chat = await post('/chat', { userId: 'user-1', message: 'Still there?' });
    }
    expect(chat.status).toBe(503);
    expect(Number(chat.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('has sent every generation and the feedback to Switchboard once stopped', async () => {
    // Stopping flushes what the SDK holds; npm exits before the service does, so wait for the events.
    await example.stop();
    let events: ExportedEvent[] = [];
    for (let attempt = 0; attempt < 50 && events.length < 5; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      events = await exportEvents(server);
    }
    expect(events.filter((event) => event.kind === 'generation')).toHaveLength(4);
    expect(events.find((event) => event.kind === 'feedback')).toMatchObject({
      generationId: answers[0]?.generationId,
      thumbs: 'up',
      variant: answers[0]?.variant,
    });
  });
});
