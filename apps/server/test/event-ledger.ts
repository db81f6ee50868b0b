import { randomUUID } from 'node:crypto';
import { ndjson, requestJson } from './http-request.js';

/** One batch as sent, and whether its answer (a 200) came back. */
export interface SentBatch {
  key: string;
  events: { kind: 'exposure'; flag: string; variant: string; unit: string }[];
  acknowledged: boolean;
}

/** How many times the store holds each batch, read through the export and the results. */
export interface LedgerCheck {
  /** Events the export holds for the ledger's flag. */
  storedEvents: number;
  /** Exposures the rollups count (the results endpoint): the same events, folded. */
  rolledUpExposures: number;
  /** Acknowledged batches the store lacks (in whole or in part): must be none. */
  lostAcknowledged: string[];
  /** Batches stored more than once: must be none. */
  duplicated: string[];
  /** Batches stored in part: must be none (a batch commits whole or not at all). */
  partial: string[];
  /** Batches not acknowledged that the store holds whole (they committed; the answer was lost). */
  storedUnacknowledged: number;
  /** Batches the store does not hold at all. */
  missing: number;
}

/**
 * Event batches sent as the SDK sends them (POST /api/v1/events with an Idempotency-Key kept across
 * retries), with what became of each: acknowledged (a 200 came back) or not (refused, reset, 503: the
 * server went away). Each event's unit names its batch, so the export tells how often each batch was
 * stored. A batch whose events the server rejected is a bug, and throws.
 */
export class EventLedger {
  readonly batches: SentBatch[] = [];

  constructor(
    private readonly serverKey: string,
    /** A boolean flag with variants `on` and `off` in production: the events' flag. */
    readonly flag: string,
  ) {}

  /** Sends one new batch of `size` exposures; resolves whether it was acknowledged. */
  async send(base: string, size: number): Promise<boolean> {
    const key = `${this.flag}-${this.batches.length}-${randomUUID()}`;
    const batch: SentBatch = {
      key,
      events: Array.from({ length: size }, (_, i) => ({
        kind: 'exposure',
        flag: this.flag,
        variant: i % 2 === 0 ? 'on' : 'off',
        unit: `${key}~${i}`,
      })),
      acknowledged: false,
    };
    this.batches.push(batch);
    batch.acknowledged = (await this.post(base, batch)) !== undefined;
    return batch.acknowledged;
  }

  /** Acknowledged batches and their events so far. */
  acknowledged(): { batches: number; events: number } {
    const done = this.batches.filter((b) => b.acknowledged);
    return { batches: done.length, events: done.reduce((n, b) => n + b.events.length, 0) };
  }

  /**
   * The SDK's retry: each batch not acknowledged is sent again, with its key, to `base`. Resolves with
   * how many were resent and how many of those the server answered as replays (it had stored them).
   */
  async resendUnacknowledged(base: string): Promise<{ resent: number; replays: number }> {
    let resent = 0;
    let replays = 0;
    for (const batch of this.batches) {
      if (batch.acknowledged) continue;
      const outcome = await this.post(base, batch);
      if (outcome === undefined) throw new Error(`the resent batch ${batch.key} was not acknowledged`);
      batch.acknowledged = true;
      resent += 1;
      if (outcome === 'replay') replays += 1;
    }
    return { resent, replays };
  }

  /** Reads what the store holds of every batch sent (export) and what the rollups count (results). */
  async check(base: string, adminKey: string): Promise<LedgerCheck> {
    const exported = await requestJson(
      base,
      adminKey,
      'GET',
      `/api/v1/events/export?environment=production&flag=${this.flag}`,
    );
    if (exported.status !== 200) throw new Error(`the export answered ${exported.status}`);
    const perBatch = new Map<string, number>();
    const lines = ndjson(exported.body);
    for (const line of lines) {
      const key = String(line.unit).split('~')[0] as string;
      perBatch.set(key, (perBatch.get(key) ?? 0) + 1);
    }
    const results = await requestJson(
      base,
      adminKey,
      'GET',
      `/api/v1/flags/${this.flag}/results?env=production`,
    );
    if (results.status !== 200) throw new Error(`the results answered ${results.status}`);
    const check: LedgerCheck = {
      storedEvents: lines.length,
      rolledUpExposures: (results.body.variants as { exposures: number }[]).reduce(
        (n, v) => n + v.exposures,
        0,
      ),
      lostAcknowledged: [],
      duplicated: [],
      partial: [],
      storedUnacknowledged: 0,
      missing: 0,
    };
    for (const batch of this.batches) {
      const stored = perBatch.get(batch.key) ?? 0;
      const size = batch.events.length;
      if (stored > size) check.duplicated.push(batch.key);
      else if (stored > 0 && stored < size) check.partial.push(batch.key);
      if (batch.acknowledged && stored < size) check.lostAcknowledged.push(batch.key);
      if (!batch.acknowledged && stored === size) check.storedUnacknowledged += 1;
      if (stored === 0) check.missing += 1;
    }
    return check;
  }

  private async post(base: string, batch: SentBatch): Promise<'stored' | 'replay' | undefined> {
    let response: Awaited<ReturnType<typeof requestJson>>;
    try {
      response = await requestJson(
        base,
        this.serverKey,
        'POST',
        '/api/v1/events',
        { events: batch.events },
        { 'idempotency-key': batch.key },
      );
    } catch {
      // Refused or reset: no answer, as an SDK sees a server that went away.
      return undefined;
    }
    // 503: the server is closing. Anything else but a 200 is a bug.
    if (response.status >= 500) return undefined;
    if (response.status !== 200 || response.body.accepted !== batch.events.length) {
      throw new Error(
        `batch ${batch.key}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`,
      );
    }
    return response.body.duplicate === true ? 'replay' : 'stored';
  }
}
