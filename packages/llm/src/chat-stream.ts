import type { ChatChunk, ChatResult, ChatTool, ToolCall } from './chat-request.js';
import type { Clock } from './clock.js';

/** What a {@link ChatStream} needs besides its chunks. */
export interface ChatStreamOptions {
  clock: Clock;
  /** `clock.now()` when the request was sent: time to first token and latency count from it. */
  startedAt: number;
  /** The tools of the request: calls of `observeOnly` ones are marked in the result. */
  tools?: readonly ChatTool[] | undefined;
  /** The provider's events, filled by whoever reads the wire; becomes the result's `raw`. */
  raw?: unknown[];
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * A streamed answer: iterate it (once) for {@link ChatChunk}s as they arrive, or call `result()` for the
 * whole answer. It measures time to first token (the first text or tool-call chunk) and total latency on
 * the injected clock, and assembles the text, tool calls, finish reason and usage as it goes.
 *
 * @example
 * ```ts
 * const stream = await adapter.stream({ model: 'gpt-4o', messages });
 * for await (const chunk of stream) if (chunk.type === 'text') process.stdout.write(chunk.text);
 * const { usage } = await stream.result();
 * console.log(stream.ttftMs, stream.latencyMs, usage);
 * ```
 */
export class ChatStream implements AsyncIterable<ChatChunk> {
  /** The provider's events read so far. */
  readonly raw: unknown[];
  private readonly source: AsyncIterator<ChatChunk>;
  private readonly observeOnly: Set<string>;
  private started = false;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private textSoFar = '';
  private readonly calls: PendingCall[] = [];
  private finish: Extract<ChatChunk, { type: 'finish' }> | undefined;
  private firstTokenMs: number | undefined;
  private endMs: number | undefined;

  constructor(
    source: AsyncIterable<ChatChunk> | AsyncIterator<ChatChunk>,
    private readonly options: ChatStreamOptions,
  ) {
    this.source = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source;
    this.raw = options.raw ?? [];
    this.observeOnly = new Set((options.tools ?? []).filter((t) => t.observeOnly).map((t) => t.name));
  }

  /** Milliseconds from the request to the first token; undefined until it arrives. */
  get ttftMs(): number | undefined {
    return this.firstTokenMs;
  }

  /** Milliseconds from the request to the end of the stream (or its failure); undefined until then. */
  get latencyMs(): number | undefined {
    return this.endMs;
  }

  /** The text received so far. */
  get text(): string {
    return this.textSoFar;
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatChunk> {
    if (this.started) throw new Error('a ChatStream can be read only once');
    this.started = true;
    return this.iterate();
  }

  /** Reads the rest of the stream (when nobody iterates it) and returns the whole answer. */
  async result(): Promise<ChatResult> {
    if (!this.started) for await (const _ of this) void _;
    if (this.failure !== undefined) throw this.failure.error;
    if (!this.ended || this.finish === undefined) throw new Error('the stream was not read to its end');
    const finish = this.finish;
    return {
      model: finish.model,
      text: this.textSoFar,
      toolCalls: this.calls.map((call) => ({
        ...call,
        // A call of a tool without parameters may stream no argument text at all.
        arguments: call.arguments === '' ? '{}' : call.arguments,
        ...(this.observeOnly.has(call.name) && { observeOnly: true }),
      })) satisfies ToolCall[],
      finishReason: finish.finishReason,
      usage: finish.usage,
      raw: this.raw,
    };
  }

  /** Stops reading and releases the connection. */
  async cancel(): Promise<void> {
    this.started = true;
    await this.source.return?.();
  }

  private async *iterate(): AsyncGenerator<ChatChunk> {
    try {
      for (;;) {
        const next = await this.source.next();
        if (next.done) break;
        this.observe(next.value);
        yield next.value;
      }
      this.ended = true;
    } catch (error) {
      this.failure = { error };
      throw error;
    } finally {
      this.endMs = this.options.clock.now() - this.options.startedAt;
      // The reader stopped early (break, or an error thrown in its loop): release the connection.
      if (!this.ended && this.failure === undefined) await this.source.return?.();
    }
  }

  private observe(chunk: ChatChunk): void {
    if (
      this.firstTokenMs === undefined &&
      (chunk.type === 'tool-call' || (chunk.type === 'text' && chunk.text !== ''))
    ) {
      this.firstTokenMs = this.options.clock.now() - this.options.startedAt;
    }
    if (chunk.type === 'text') this.textSoFar += chunk.text;
    else if (chunk.type === 'finish') this.finish = chunk;
    else {
      let call = this.calls[chunk.index];
      if (call === undefined) {
        call = { id: '', name: '', arguments: '' };
        this.calls[chunk.index] = call;
      }
      if (chunk.id !== undefined) call.id = chunk.id;
      if (chunk.name !== undefined) call.name = chunk.name;
      call.arguments += chunk.argumentsDelta;
    }
  }
}
