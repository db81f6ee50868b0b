/**
 * A helper of the propagation benchmark: hosts many real SDK clients (`createClient`, each with its
 * own snapshot fetch and SSE stream) and reports when each one's `change` event fires for a toggle.
 * Started by helper-pool.ts, pinned to the load core, with a {@link HelperSetup} as its argument;
 * speaks {@link ToHelper} / {@link FromHelper} over IPC.
 */
import { createClient, type SwitchboardClient } from '@switchboard/sdk';
import type { FromHelper, HelperSetup, ToHelper } from './helper-protocol.js';
import { sharedNow } from './shared-clock.js';

const READY_TIMEOUT_MS = 60_000;

const setup = JSON.parse(process.argv[2] ?? '') as HelperSetup;
const send = (message: FromHelper) => process.send?.(message);

interface Armed {
  toggle: number;
  killed: boolean;
  at: (number | null)[];
  remaining: number;
  cpu: NodeJS.CpuUsage;
}

let armed: Armed | undefined;
let streamDrops = 0;
const opened = new Set<number>();

const clients: SwitchboardClient[] = Array.from({ length: setup.clients }, (_, index) => {
  const client = createClient({ url: setup.urls[index % setup.urls.length] as string, sdkKey: setup.sdkKey });
  client.on('change', (keys: string[]) => {
    // Read the clock first: the time is when this client's change fired.
    const now = sharedNow();
    const current = armed;
    if (current === undefined || current.at[index] !== null || !keys.includes(setup.flagKey)) return;
    if ((client.killSwitch(setup.flagKey) !== null) !== current.killed) return;
    current.at[index] = now;
    current.remaining--;
    if (current.remaining === 0) send({ type: 'complete', toggle: current.toggle });
  });
  client.on('stream', (state: { connected: boolean }) => {
    if (state.connected) opened.add(index);
    else streamDrops++;
  });
  return client;
});

process.on('message', (message: ToHelper) => {
  switch (message.type) {
    case 'ping':
      send({ type: 'pong', id: message.id, at: sharedNow() });
      return;
    case 'arm':
      armed = {
        toggle: message.toggle,
        killed: message.killed,
        at: new Array<number | null>(clients.length).fill(null),
        remaining: clients.length,
        cpu: process.cpuUsage(),
      };
      send({ type: 'armed', toggle: message.toggle });
      return;
    case 'collect': {
      const current = armed?.toggle === message.toggle ? armed : undefined;
      const at = current?.at ?? new Array<number | null>(clients.length).fill(null);
      const cpu = current === undefined ? { user: 0, system: 0 } : process.cpuUsage(current.cpu);
      armed = undefined;
      send({ type: 'times', toggle: message.toggle, at, streamDrops, cpuMs: (cpu.user + cpu.system) / 1000 });
      return;
    }
    case 'stop':
      void Promise.all(clients.map((client) => client.close())).then(() => process.exit(0));
      return;
  }
});

try {
  const states = await Promise.all(clients.map((client) => client.ready({ timeoutMs: READY_TIMEOUT_MS })));
  const offline = states.filter((state) => state.source !== 'server');
  if (offline.length > 0)
    throw new Error(`${offline.length} clients have no server snapshot: ${offline[0]?.error}`);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (opened.size < clients.length) {
    if (Date.now() > deadline) throw new Error(`${clients.length - opened.size} streams did not open`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  send({ type: 'ready', clients: clients.length });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
