/** What a stress test reads from a running server's `/metrics`. */

/** The value of one Prometheus sample (`name` with its labels, as printed), or undefined. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** The server process's memory now. */
export interface ServerMemory {
  rssBytes: number;
  heapUsedBytes: number;
}

/** The server's resident set and used heap, from its process metrics. */
export async function serverMemory(url: string): Promise<ServerMemory> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const rssBytes = sample(text, 'switchboard_process_resident_memory_bytes');
  const heapUsedBytes = sample(text, 'switchboard_nodejs_heap_size_used_bytes');
  if (rssBytes === undefined || heapUsedBytes === undefined)
    throw new Error('the server does not report its memory on /metrics');
  return { rssBytes, heapUsedBytes };
}

/** Bytes to MB (10^6), rounded to 0.1. */
export const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
