import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: its headers and its body exactly as sent. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers its next request: a status, a status with headers, or a dropped connection. */
export type Answer = number | 'drop' | { status: number; headers?: Record<string, string>; body?: string };

/** A local HTTP receiver of webhook deliveries (node:http on port 0). */
export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Queues the answers to the next requests; once they run out it answers 200. */
  answer(...answers: Answer[]): void;
  /** The requests whose `Switchboard-Event` is this type. */
  ofType(type: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const answers: Answer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.shift() ?? 200;
      if (answer === 'drop') {
        // The connection ends with no answer at all, as when a receiver crashes mid-request.
        request.socket.destroy();
        return;
      }
      const { status, headers, body } = typeof answer === 'number' ? { status: answer } : answer;
      response.writeHead(status, { 'content-type': 'text/plain', ...headers });
      response.end(body ?? `answered ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/switchboard`,
    received,
    answer: (...more) => answers.push(...more),
    ofType: (type) => received.filter((r) => r.headers['switchboard-event'] === type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
