/** What an observer reports a stream's progress to (a tracked call). */
export interface StreamWatcher {
  chunk(value: unknown): void;
  end(): void;
  fail(error: unknown): void;
}

type Members = Record<PropertyKey, unknown>;

/**
 * Watches a call's result when it is a stream, without consuming it: the caller reads it as before,
 * and the watcher hears of each chunk, the end and a failure as they happen. Returns false when the
 * result is not a stream (a whole answer). Knows:
 *
 * - the AI SDK's `streamText` result: a branch of its `fullStream` is read alongside the caller's
 *   (the AI SDK tees its stream for every reader, as it does when its `totalUsage` is awaited);
 * - event-emitting client streams (`anthropic.messages.stream()`, `openai.chat.completions.stream()`):
 *   heard through their `streamEvent`/`chunk` and `end` events, however the caller reads them;
 * - the official clients' `Stream` (`create({ stream: true })`): its `iterator` is wrapped, which covers
 *   `for await`, `tee()` and `toReadableStream()`;
 * - any other async iterable: its `Symbol.asyncIterator` is wrapped on the object itself.
 *
 * The object stays the same (only an own property is added to it). A stream the caller never reads
 * never ends, and its generation is never sent.
 */
export function observeStream(result: unknown, watcher: StreamWatcher): boolean {
  if (typeof result !== 'object' || result === null) return false;
  const r = result as Members;
  if ('fullStream' in r && 'textStream' in r) {
    readBranch(r, watcher);
    return true;
  }
  if (typeof r.on === 'function' && typeof r.done === 'function' && 'errored' in r) {
    listen(r, watcher);
    return true;
  }
  if (typeof r[Symbol.asyncIterator] !== 'function') return false;
  if (typeof r.iterator === 'function' && Object.hasOwn(r, 'iterator')) {
    const original = r.iterator as () => AsyncIterator<unknown>;
    r.iterator = () => new WatchedIterator(original.call(r), watcher);
    return true;
  }
  const original = r[Symbol.asyncIterator] as () => AsyncIterator<unknown>;
  Object.defineProperty(r, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: () => new WatchedIterator(original.call(r), watcher),
  });
  return true;
}

function readBranch(r: Members, watcher: StreamWatcher): void {
  const read = async () => {
    for await (const part of r.fullStream as AsyncIterable<unknown>) watcher.chunk(part);
  };
  read().then(
    () => watcher.end(),
    (error: unknown) => watcher.fail(error),
  );
}

function listen(r: Members, watcher: StreamWatcher): void {
  const on = r.on as (event: string, listener: (...args: unknown[]) => void) => unknown;
  const done = () => (r.done as () => Promise<void>).call(r);
  if (r.ended === true) {
    done().then(
      () => watcher.end(),
      (error: unknown) => watcher.fail(error),
    );
    return;
  }
  const onChunk = (chunk: unknown) => watcher.chunk(chunk);
  // Anthropic's MessageStream names raw events `streamEvent`, OpenAI's ChatCompletionStream `chunk`.
  on.call(r, 'streamEvent', onChunk);
  on.call(r, 'chunk', onChunk);
  // No `error` listener: one would silence the unhandled rejection the client raises for a caller who
  // handles no errors. `end` follows every error and abort, and `done()` then rejects with it.
  on.call(r, 'end', () => {
    if (r.errored === true || r.aborted === true)
      done().then(() => watcher.end(), watcher.fail.bind(watcher));
    else watcher.end();
  });
}

/** An iterator that reports what passes through it to a watcher. */
class WatchedIterator implements AsyncIterableIterator<unknown> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly watcher: StreamWatcher,
  ) {}

  next(...args: [] | [unknown]): Promise<IteratorResult<unknown>> {
    return Promise.resolve(this.source.next(...args)).then(
      (result) => {
        if (result.done === true) this.watcher.end();
        else this.watcher.chunk(result.value);
        return result;
      },
      (error: unknown) => {
        this.watcher.fail(error);
        throw error;
      },
    );
  }

  // The caller stopped reading (a `break`): the generation ends there.
  return(value?: unknown): Promise<IteratorResult<unknown>> {
    this.watcher.end();
    return this.source.return === undefined
      ? Promise.resolve({ done: true, value })
      : Promise.resolve(this.source.return(value));
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    this.watcher.end();
    return this.source.throw === undefined
      ? Promise.reject(error)
      : Promise.resolve(this.source.throw(error));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }
}
