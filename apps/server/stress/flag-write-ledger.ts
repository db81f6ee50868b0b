import { type JsonResponse, requestJson } from '../test/http-request.js';

/** The fields of a flag's production configuration that the writers change and the checks compare. */
interface ConfigState {
  version: number;
  enabled: boolean;
  targets: unknown;
  fallthrough: unknown;
}

/** One write and what became of it. */
interface Write {
  flag: string;
  action: 'create' | 'patch' | 'enable' | 'disable';
  /** The configuration answered (a 200), for writes to the environment that were acknowledged. */
  answered?: ConfigState;
  acknowledged: boolean;
}

/** What the checks after a restart found. */
export interface FlagCheck {
  flags: number;
  acknowledgedWrites: number;
  unacknowledgedWrites: number;
  /** Acknowledged writes the store lacks, or whose audit entry differs from the answer: must be none. */
  lost: string[];
  /** Flags whose version, audit entries and configuration disagree: must be none. */
  halfApplied: string[];
}

const BOOLEAN_VARIANTS = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

function stateOf(config: Record<string, unknown>): ConfigState {
  return {
    version: config.version as number,
    enabled: config.enabled as boolean,
    targets: config.targets,
    fallthrough: config.fallthrough,
  };
}

/**
 * Flag writes made as an operator (or the dashboard) makes them, each writer on flags of its own so
 * that no write conflicts with another's: creates, versioned PATCHes of the production configuration,
 * and enable/disable with the version read. Each write is noted as acknowledged (a 2xx came back) or
 * not (the server went away first). {@link check} then reads the store after a restart.
 */
export class FlagWriteLedger {
  private readonly writes: Write[] = [];
  private readonly touched = new Set<string>();
  private created = 0;

  constructor(
    private readonly adminKey: string,
    private readonly prefix: string,
    private readonly random: () => number,
  ) {}

  /**
   * One writer: writes one after another until `running()` is false or a write gets no answer (the
   * server died). A refused write (4xx) is a bug and throws.
   */
  async writer(base: string, id: number, running: () => boolean): Promise<void> {
    let flag: string | undefined;
    let version = 0;
    let enabled = false;
    let step = 0;
    while (running()) {
      step += 1;
      if (flag === undefined || this.random() < 0.1) {
        const key = `${this.prefix}-w${id}-${this.created++}`;
        const write: Write = { flag: key, action: 'create', acknowledged: false };
        const answer = await this.send(write, base, 'POST', '/api/v1/flags', {
          key,
          kind: 'boolean',
          variants: BOOLEAN_VARIANTS,
        });
        if (answer === undefined) return;
        flag = key;
        version = 0;
        enabled = false;
        continue;
      }
      const path = `/api/v1/flags/${flag}/environments/production`;
      const roll = this.random();
      let write: Write;
      let answer: JsonResponse | undefined;
      if (roll < 0.5) {
        write = { flag, action: 'patch', acknowledged: false };
        answer = await this.send(write, base, 'PATCH', path, {
          version,
          targets: [{ variant: 'on', values: [`unit-${id}-${step}`] }],
          fallthrough: { variant: step % 2 === 0 ? 'on' : 'off' },
        });
      } else {
        const action = enabled ? 'disable' : 'enable';
        write = { flag, action, acknowledged: false };
        answer = await this.send(write, base, 'POST', `${path}/${action}`, { version });
      }
      if (answer === undefined) return;
      write.answered = stateOf(answer.body);
      version = write.answered.version;
      enabled = write.answered.enabled;
    }
  }

  /**
   * Reads back every flag written to, through `base` (a restarted server on the same store), and
   * checks: each acknowledged write is there with its audit entry (after = what was answered); each
   * flag exists exactly when its creation is audited; its production version equals the number of its
   * production audit entries, whose versions run 1..n, each `before` being the previous `after`, and
   * whose last `after` is the configuration now.
   */
  async check(base: string): Promise<FlagCheck> {
    const result: FlagCheck = {
      flags: this.touched.size,
      acknowledgedWrites: this.writes.filter((w) => w.acknowledged).length,
      unacknowledgedWrites: this.writes.filter((w) => !w.acknowledged).length,
      lost: [],
      halfApplied: [],
    };
    for (const flag of this.touched) {
      const writes = this.writes.filter((w) => w.flag === flag);
      const entries = await this.auditOf(base, flag);
      const creates = entries.filter((e) => e.action === 'flag.create');
      const found = await requestJson(base, this.adminKey, 'GET', `/api/v1/flags/${flag}`);
      if (found.status !== 200 && found.status !== 404) throw new Error(`GET ${flag}: ${found.status}`);
      const exists = found.status === 200;
      if (creates.length !== (exists ? 1 : 0)) {
        result.halfApplied.push(`${flag}: exists ${exists}, ${creates.length} creation entries`);
      }
      if (!exists) {
        if (writes.some((w) => w.acknowledged)) result.lost.push(`${flag}: acknowledged, not found`);
        continue;
      }
      const now = await requestJson(
        base,
        this.adminKey,
        'GET',
        `/api/v1/flags/${flag}/environments/production`,
      );
      const current = stateOf(now.body);
      const history = entries
        .filter((e) => e.environment === 'production')
        .sort((a, b) => a.id - b.id)
        .map((e) => ({
          before: e.before as Record<string, unknown>,
          after: stateOf(e.after as Record<string, unknown>),
        }));
      // Each entry's before is the previous entry's after: no change was made without its entry.
      const versionsRun = history.every(
        (h, i) =>
          h.after.version === i + 1 &&
          (i === 0
            ? (h.before?.version ?? 0) === 0
            : same(stateOf(h.before), (history[i - 1] as { after: ConfigState }).after)),
      );
      const last = history[history.length - 1]?.after;
      if (
        history.length !== current.version ||
        !versionsRun ||
        (last !== undefined && !same(last, current))
      ) {
        result.halfApplied.push(
          `${flag}: version ${current.version}, ${history.length} audit entries, versions ${history.map((h) => h.after.version).join(',')}`,
        );
      }
      const acknowledged = writes.filter((w) => w.acknowledged && w.answered !== undefined);
      for (const write of acknowledged) {
        const answered = write.answered as ConfigState;
        const entry = history.find((h) => h.after.version === answered.version);
        if (entry === undefined || !same(entry.after, answered)) {
          result.lost.push(
            `${flag} ${write.action} v${answered.version}: ${entry === undefined ? 'no audit entry' : 'audit differs'}`,
          );
        }
      }
      // Writes are sequential per flag: at most the one without an answer may have landed after them.
      const lastAcknowledged = acknowledged[acknowledged.length - 1]?.answered?.version ?? 0;
      const inDoubt = writes.some((w) => !w.acknowledged && w.action !== 'create') ? 1 : 0;
      if (current.version < lastAcknowledged || current.version > lastAcknowledged + inDoubt) {
        result.lost.push(`${flag}: version ${current.version} after acknowledged v${lastAcknowledged}`);
      }
    }
    return result;
  }

  private async send(
    write: Write,
    base: string,
    method: string,
    path: string,
    body: unknown,
  ): Promise<JsonResponse | undefined> {
    this.writes.push(write);
    this.touched.add(write.flag);
    let answer: JsonResponse;
    try {
      answer = await requestJson(base, this.adminKey, method, path, body);
    } catch {
      return undefined;
    }
    if (answer.status >= 500) return undefined;
    if (answer.status >= 300) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    write.acknowledged = true;
    return answer;
  }

  private async auditOf(
    base: string,
    flag: string,
  ): Promise<{ id: number; action: string; environment: string | null; before: unknown; after: unknown }[]> {
    const entries = [];
    let cursor: number | undefined;
    for (;;) {
      const page = await requestJson(
        base,
        this.adminKey,
        'GET',
        `/api/v1/audit?flag=${flag}&limit=500${cursor === undefined ? '' : `&cursor=${cursor}`}`,
      );
      if (page.status !== 200) throw new Error(`audit of ${flag}: ${page.status}`);
      entries.push(...page.body.items);
      cursor = page.body.nextCursor;
      if (cursor === undefined) return entries;
    }
  }
}

function same(a: ConfigState, b: ConfigState): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted: the audit log and the API may order fields differently. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)),
        )
      : v,
  );
}
