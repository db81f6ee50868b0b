import type { CompiledSnapshot, Segment, Snapshot, SnapshotFlag } from '@switchboard/core';
import type { EventSourceMessage } from 'eventsource-parser';

/**
 * The stream's events (`GET /api/v1/sdk/stream`), each with the environment version as its id:
 * - `put`       `{ version, snapshot }`           the whole snapshot (on connect, and to resync)
 * - `patch`     `{ version, kind, key, value }`   one flag or segment, added or changed
 * - `delete`    `{ version, kind, key }`          one flag (archived) or segment (deleted) gone
 * - `heartbeat` `{ version }`                     every 15 s
 * - `drain`     `{ version, flag, variant?, reason }` abort the flag's in-flight generations (a rollback
 *               or a kill); sent only to streams opened with `?events=drain`
 *
 * Any other event is ignored (`unknown`): a newer server may send events this SDK does not know.
 */
export type StreamEvent =
  | { type: 'put'; version: number; snapshot: Snapshot }
  | { type: 'patch'; version: number; kind: 'flag'; key: string; value: SnapshotFlag }
  | { type: 'patch'; version: number; kind: 'segment'; key: string; value: Segment }
  | { type: 'delete'; version: number; kind: 'flag' | 'segment'; key: string }
  | { type: 'heartbeat'; version: number }
  | { type: 'drain'; version: number; flag: string; variant: string | undefined; reason: string }
  | { type: 'unknown'; version: number; event: string };

/** A stream event that cannot be applied; the connection resyncs from a full snapshot. */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedEventError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Parses and checks one SSE message; throws MalformedEventError when it is not a valid event. */
export function parseStreamEvent(message: EventSourceMessage): StreamEvent {
  let data: Record<string, unknown>;
  try {
    data = object(JSON.parse(message.data), 'the event data');
  } catch (error) {
    if (error instanceof MalformedEventError) throw error;
    throw new MalformedEventError('the event data is not JSON');
  }
  const version = data.version;
  if (typeof version !== 'number' || !Number.isInteger(version))
    throw new MalformedEventError('the event has no version');
  switch (message.event) {
    case 'heartbeat':
      return { type: 'heartbeat', version };
    case 'put': {
      const snapshot = object(data.snapshot, 'the snapshot');
      if (!Array.isArray(snapshot.flags) || !Array.isArray(snapshot.segments)) {
        throw new MalformedEventError('the snapshot has no flags or segments');
      }
      return { type: 'put', version, snapshot: snapshot as unknown as Snapshot };
    }
    case 'patch':
    case 'delete': {
      const kind = data.kind;
      const key = data.key;
      if ((kind !== 'flag' && kind !== 'segment') || typeof key !== 'string')
        throw new MalformedEventError(`the ${message.event} names no flag or segment`);
      if (message.event === 'delete') return { type: 'delete', version, kind, key };
      const value = object(data.value, 'the patched value');
      if (value.key !== key || (kind === 'flag' && typeof value.version !== 'number')) {
        throw new MalformedEventError('the patched value does not match its key or has no version');
      }
      return kind === 'flag'
        ? { type: 'patch', version, kind, key, value: value as unknown as SnapshotFlag }
        : { type: 'patch', version, kind, key, value: value as unknown as Segment };
    }
    case 'drain': {
      const { flag, variant, reason } = data;
      if (typeof flag !== 'string' || (variant !== undefined && typeof variant !== 'string'))
        throw new MalformedEventError('the drain names no flag');
      return {
        type: 'drain',
        version,
        flag,
        variant: variant as string | undefined,
        reason: typeof reason === 'string' ? reason : '',
      };
    }
    default:
      // A newer server's event: nothing this SDK holds depends on it.
      return { type: 'unknown', version, event: message.event ?? 'message' };
  }
}

/**
 * Applies one stream message to a snapshot without changing it; returns the new snapshot, the new
 * environment version and the flag keys whose value may have changed, or undefined when nothing
 * changes (a heartbeat, or a patch older than what is held).
 */
export function applyStreamEvent(
  current: Snapshot,
  version: number | undefined,
  message: EventSourceMessage,
): { snapshot: Snapshot; version: number; changed: string[] | undefined } | undefined {
  const event = parseStreamEvent(message);
  switch (event.type) {
    case 'heartbeat':
    case 'drain':
    case 'unknown':
      return undefined;
    case 'put':
      // A put older than what is held (a replica lagging behind) would take the client back in time.
      if (version !== undefined && event.version < version) return undefined;
      // undefined `changed`: the client compares the snapshots.
      return { snapshot: event.snapshot, version: event.version, changed: undefined };
    case 'patch': {
      // One change can bring several patches with the same environment version: only older ones are stale.
      if (version !== undefined && event.version < version) return undefined;
      if (event.kind === 'flag') {
        // The patched flag takes the place of the one held (a new one goes last), so every other flag
        // keeps its index and compiling the result only compares the two arrays (compileSnapshot).
        let index = -1;
        let duplicated = false;
        for (let i = 0; i < current.flags.length; i++) {
          if (current.flags[i]?.key !== event.key) continue;
          if (index === -1) index = i;
          else duplicated = true;
        }
        const held = index === -1 ? undefined : current.flags[index];
        if (held !== undefined && held.version >= event.value.version)
          return { snapshot: current, version: event.version, changed: [] };
        let flags: SnapshotFlag[];
        if (duplicated) {
          flags = [...current.flags.filter((f) => f?.key !== event.key), event.value];
        } else {
          flags = current.flags.slice();
          if (index === -1) flags.push(event.value);
          else flags[index] = event.value;
        }
        return {
          snapshot: { ...current, version: event.version, flags },
          version: event.version,
          changed: [event.key],
        };
      }
      const heldSegment = current.segments.find((s) => s.key === event.key);
      if (
        heldSegment?.version !== undefined &&
        event.value.version !== undefined &&
        heldSegment.version >= event.value.version
      ) {
        return { snapshot: current, version: event.version, changed: [] };
      }
      const segments = [...current.segments.filter((s) => s.key !== event.key), event.value];
      return {
        snapshot: { ...current, version: event.version, segments },
        version: event.version,
        changed: undefined,
      };
    }
    case 'delete': {
      if (version !== undefined && event.version < version) return undefined;
      if (event.kind === 'flag') {
        const flags = current.flags.filter((f) => f.key !== event.key);
        return {
          snapshot: { ...current, version: event.version, flags },
          version: event.version,
          changed: [event.key],
        };
      }
      const segments = current.segments.filter((s) => s.key !== event.key);
      return {
        snapshot: { ...current, version: event.version, segments },
        version: event.version,
        changed: undefined,
      };
    }
  }
}

/**
 * Why a snapshot a stream event produced must not replace the one held, or undefined when it may.
 * The server only sends what it validated, so an entry that is not a flag or segment, or a flag that
 * works now and would serve errors after the change, means the event is corrupt: it is refused and
 * the last good snapshot kept. (A flag that was already unusable, or arrives so, changes nothing that
 * works; refusing it would hold back every other change.) Checks the flags named in `changed`, or
 * every flag after a `put` or a segment change (`changed` undefined).
 */
export function unusableSnapshotProblem(
  next: CompiledSnapshot,
  held: CompiledSnapshot,
  changed: readonly string[] | undefined,
): string | undefined {
  if (next.problem !== undefined) return next.problem;
  // A flag patch or delete changes one entry of the held snapshot, whose key parseStreamEvent checked:
  // only a put or a segment change brings entries to check.
  if (changed === undefined) {
    const { flags, segments } = next.source;
    const notEntry = (e: unknown) => typeof (e as { key?: unknown } | null)?.key !== 'string';
    if (flags.some(notEntry) || (segments ?? []).some(notEntry)) return 'an entry is not a flag or segment';
  }
  for (const key of changed ?? next.flagKeys()) {
    const problem = next.flag(key)?.problem;
    const works =
      held.problem === undefined && held.flag(key) !== undefined && held.flag(key)?.problem === undefined;
    if (problem !== undefined && works) return `flag ${JSON.stringify(key)}: ${problem}`;
  }
  return undefined;
}
