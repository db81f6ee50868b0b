/**
 * The clock every process of the propagation benchmark reads: `performance.timeOrigin +
 * performance.now()`, milliseconds since the Unix epoch with sub-microsecond resolution.
 *
 * Why this one: `performance.now()` runs on the system's monotonic clock (CLOCK_MONOTONIC on Linux,
 * shared by every process of the machine), and `timeOrigin` is the wall-clock time at which this
 * process started. Their sum differs between two processes of one machine only by how far the wall
 * clock was stepped between their starts (NTP slews both clocks alike), i.e. not at all in a run of
 * minutes, where `Date.now()` would cost a whole millisecond of resolution on a figure of a few ms.
 * The benchmark checks the claim: {@link clockOffset} pings each helper over IPC and the run prints the
 * worst offset found, bounded by half the round trip.
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** How far another process's clock is from ours, with the uncertainty of the measurement. */
export interface ClockOffset {
  /** Theirs minus ours, in ms: their reading minus the midpoint of our send and receive. */
  offsetMs: number;
  /** Half the round trip of the best ping: the offset is known to within this. */
  uncertaintyMs: number;
}

/** The ping with the shortest round trip among `samples` (NTP's estimate). */
export async function clockOffset(ping: () => Promise<number>, samples = 20): Promise<ClockOffset> {
  let best: ClockOffset | undefined;
  for (let i = 0; i < samples; i++) {
    const sent = sharedNow();
    const theirs = await ping();
    const received = sharedNow();
    const uncertaintyMs = (received - sent) / 2;
    if (best === undefined || uncertaintyMs < best.uncertaintyMs)
      best = { offsetMs: theirs - (sent + received) / 2, uncertaintyMs };
  }
  return best as ClockOffset;
}
