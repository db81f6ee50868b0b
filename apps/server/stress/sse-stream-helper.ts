/**
 * A helper of the stream stress test: holds many raw SSE streams (`GET /api/v1/sdk/stream`, one socket
 * each, no SDK: the bulk of 10,000 streams must fit in a few processes) and reports their heartbeats
 * and when each saw a given environment version. Started by sse-stream-pool.ts with an
 * {@link SseHelperSetup}; speaks {@link ToSseHelper} / {@link FromSseHelper} over IPC.
 */
import { Agent, request } from 'node:http';
import { sharedNow } from '../../../bench/propagation/shared-clock.js';
import type { FromSseHelper, SseHelperSetup, ToSseHelper } from './sse-stream-protocol.js';

const READY_TIMEOUT_MS = 120_000;

const setup = JSON.parse(process.argv[2] ?? '') as SseHelperSetup;
const send = (message: FromSseHelper) => process.send?.(message);
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

interface StreamState {
  buffer: string;
  opened: boolean;
  heartbeats: number;
  lastEventAt: number;
  maxSilenceMs: number;
  seenAt: number | null;
  close(): void;
}

const streams: StreamState[] = [];
let armed = false;
let dropped = 0;
let stopping = false;

function onEvent(state: StreamState, event: string): void {
  const now = sharedNow();
  state.maxSilenceMs = Math.max(state.maxSilenceMs, now - state.lastEventAt);
  state.lastEventAt = now;
  if (event === 'heartbeat') state.heartbeats++;
  if (event === 'put') state.opened = true;
  if (armed && state.seenAt === null && event !== 'heartbeat') state.seenAt = now;
}

/** Splits complete SSE messages off the buffer and hands each one's event and id on. */
function consume(state: StreamState, chunk: string): void {
  state.buffer += chunk;
  for (let end = state.buffer.indexOf('\n\n'); end >= 0; end = state.buffer.indexOf('\n\n')) {
    const message = state.buffer.slice(0, end);
    state.buffer = state.buffer.slice(end + 2);
    const line = message.split('\n').find((l) => l.startsWith('event: '));
    onEvent(state, line === undefined ? 'message' : line.slice(7));
  }
}

function open(): StreamState {
  const state: StreamState = {
    buffer: '',
    opened: false,
    heartbeats: 0,
    lastEventAt: sharedNow(),
    maxSilenceMs: 0,
    seenAt: null,
    close: () => {},
  };
  const req = request(`${setup.url}/api/v1/sdk/stream`, {
    agent,
    headers: { authorization: `Bearer ${setup.sdkKey}`, accept: 'text/event-stream' },
  });
  const lost = () => {
    if (!stopping) dropped++;
  };
  req.on('response', (response) => {
    if (response.statusCode !== 200) {
      send({ type: 'failed', error: `a stream was answered ${response.statusCode}` });
      return;
    }
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => consume(state, chunk));
    response.on('end', lost);
    response.on('error', lost);
  });
  req.on('error', (error) => {
    if (!state.opened) send({ type: 'failed', error: `a stream failed to open: ${error.message}` });
    else lost();
  });
  req.end();
  state.close = () => req.destroy();
  return state;
}

async function openAll(): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (streams.length < setup.streams) {
    const batch = Math.min(setup.openBatch, setup.streams - streams.length);
    const opened = Array.from({ length: batch }, open);
    streams.push(...opened);
    while (opened.some((state) => !state.opened)) {
      if (Date.now() > deadline) throw new Error(`${streams.length} streams started, some never opened`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

process.on('message', (message: ToSseHelper) => {
  switch (message.type) {
    case 'mark': {
      const now = sharedNow();
      for (const state of streams) {
        state.heartbeats = 0;
        state.maxSilenceMs = 0;
        state.lastEventAt = now;
      }
      return;
    }
    case 'heartbeats': {
      const now = sharedNow();
      send({
        type: 'heartbeats',
        counts: streams.map((state) => state.heartbeats),
        maxSilenceMs: streams.map((state) => Math.max(state.maxSilenceMs, now - state.lastEventAt)),
        dropped,
      });
      return;
    }
    case 'arm':
      armed = true;
      for (const state of streams) state.seenAt = null;
      send({ type: 'armed' });
      return;
    case 'collect':
      send({ type: 'times', at: streams.map((state) => state.seenAt) });
      return;
    case 'stop':
      stopping = true;
      for (const state of streams) state.close();
      agent.destroy();
      process.exit(0);
  }
});

try {
  await openAll();
  send({ type: 'ready', streams: streams.length });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
