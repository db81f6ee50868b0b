import {
  type ChatChunk,
  type ChatMessage,
  type ChatParams,
  type ChatRequest,
  type ChatResult,
  type ChatTool,
  type FinishReason,
  type ToolCall,
  UnsupportedRequestError,
} from '@switchboard/llm';
import type { AnthropicMessagesBody } from './gateway-schemas.js';

type Block = { [key: string]: unknown; type: string };

/**
 * Reads a messages request as a neutral request, for an upstream that speaks OpenAI's protocol. Text,
 * tool_use and tool_result blocks are carried; anything else (images, documents, server tools) throws
 * {@link UnsupportedRequestError} naming the block.
 */
export function chatRequestFromAnthropicBody(body: AnthropicMessagesBody): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = typeof body.system === 'string' ? body.system : textOf(body.system ?? [], 'system');
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const [i, message] of body.messages.entries()) {
    const path = `messages[${i}].content`;
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content });
      continue;
    }
    if (message.role === 'assistant') {
      let text = '';
      const toolCalls: ToolCall[] = [];
      for (const [j, block] of message.content.entries()) {
        if (block.type === 'text') text += stringOf(block.text);
        else if (block.type === 'tool_use') {
          toolCalls.push({
            id: stringOf(block.id),
            name: stringOf(block.name),
            arguments: JSON.stringify(block.input ?? {}),
          });
        } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
          throw unsupported(`${path}[${j}]`, block.type);
        }
      }
      messages.push(
        toolCalls.length > 0
          ? { role: 'assistant', content: text, toolCalls }
          : { role: 'assistant', content: text },
      );
      continue;
    }
    let text = '';
    for (const [j, block] of message.content.entries()) {
      if (block.type === 'text') text += stringOf(block.text);
      else if (block.type === 'tool_result') {
        const content = block.content;
        messages.push({
          role: 'tool',
          toolCallId: stringOf(block.tool_use_id),
          content:
            typeof content === 'string'
              ? content
              : textOf(Array.isArray(content) ? (content as Block[]) : [], `${path}[${j}].content`),
        });
      } else throw unsupported(`${path}[${j}]`, block.type);
    }
    if (text !== '') messages.push({ role: 'user', content: text });
  }
  const params: ChatParams = {
    maxTokens: body.max_tokens,
    ...(body.temperature !== undefined && { temperature: body.temperature }),
    ...(body.top_p !== undefined && { topP: body.top_p }),
    ...(body.stop_sequences !== undefined && { stop: body.stop_sequences }),
  };
  const tools: ChatTool[] = (body.tools ?? []).map((tool, i) => {
    if (tool.type !== undefined && tool.type !== 'custom') throw unsupported(`tools[${i}]`, tool.type);
    const description = tool.description;
    const schema = tool.input_schema;
    return {
      name: tool.name,
      ...(typeof description === 'string' && { description }),
      ...(typeof schema === 'object' && schema !== null && { parameters: schema as Record<string, unknown> }),
    };
  });
  const user = body.metadata?.user_id;
  return {
    model: body.model,
    messages,
    params,
    ...(tools.length > 0 && { tools }),
    ...(typeof user === 'string' && { user }),
  };
}

const STOP_REASONS: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  'tool-calls': 'tool_use',
  'content-filter': 'refusal',
  other: 'end_turn',
};

/** A `message` body for a neutral result (the answer of an upstream of the other protocol). */
export function toAnthropicMessage(
  result: ChatResult,
  identity: { id: string; model: string },
): Record<string, unknown> {
  return {
    id: identity.id,
    type: 'message',
    role: 'assistant',
    model: identity.model,
    content: [
      ...(result.text !== '' || result.toolCalls.length === 0 ? [{ type: 'text', text: result.text }] : []),
      ...result.toolCalls.map((call) => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: parseArguments(call.arguments),
      })),
    ],
    stop_reason: STOP_REASONS[result.finishReason],
    stop_sequence: null,
    usage: { input_tokens: result.usage?.inputTokens ?? 0, output_tokens: result.usage?.outputTokens ?? 0 },
  };
}

/**
 * Encodes neutral chunks as a messages stream: `message_start`, one content block at a time (text or
 * tool_use, each opened, filled by deltas and closed), `message_delta` with the stop reason and usage,
 * `message_stop`.
 */
export class AnthropicChunkEncoder {
  private started = false;
  private block: { index: number; kind: 'text' | 'tool' } | undefined;
  private blocks = 0;
  private readonly toolBlocks = new Map<number, number>();

  constructor(private readonly identity: { id: string; model: string }) {}

  /** The frames for one chunk, in order. */
  encode(chunk: ChatChunk): string[] {
    const frames: string[] = [];
    if (!this.started) {
      this.started = true;
      frames.push(
        frame('message_start', {
          type: 'message_start',
          message: {
            id: this.identity.id,
            type: 'message',
            role: 'assistant',
            model: this.identity.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        }),
      );
    }
    if (chunk.type === 'text') {
      if (chunk.text === '') return frames;
      if (this.block?.kind !== 'text') this.open(frames, 'text', { type: 'text', text: '' });
      const index = this.block?.index;
      frames.push(
        frame('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: chunk.text },
        }),
      );
    } else if (chunk.type === 'tool-call') {
      let index = this.toolBlocks.get(chunk.index);
      if (index === undefined) {
        index = this.open(frames, 'tool', {
          type: 'tool_use',
          id: chunk.id ?? `toolu_${chunk.index}`,
          name: chunk.name ?? '',
          input: {},
        });
        this.toolBlocks.set(chunk.index, index);
      }
      if (chunk.argumentsDelta !== '') {
        frames.push(
          frame('content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: chunk.argumentsDelta },
          }),
        );
      }
    } else {
      this.close(frames);
      frames.push(
        frame('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: STOP_REASONS[chunk.finishReason], stop_sequence: null },
          usage: {
            input_tokens: chunk.usage?.inputTokens ?? 0,
            output_tokens: chunk.usage?.outputTokens ?? 0,
          },
        }),
        frame('message_stop', { type: 'message_stop' }),
      );
    }
    return frames;
  }

  private open(frames: string[], kind: 'text' | 'tool', block: Record<string, unknown>): number {
    this.close(frames);
    const index = this.blocks++;
    this.block = { index, kind };
    frames.push(frame('content_block_start', { type: 'content_block_start', index, content_block: block }));
    return index;
  }

  private close(frames: string[]): void {
    if (this.block === undefined) return;
    frames.push(frame('content_block_stop', { type: 'content_block_stop', index: this.block.index }));
    this.block = undefined;
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function textOf(blocks: readonly Block[], path: string): string {
  return blocks
    .map((block, i) => {
      if (block.type !== 'text') throw unsupported(`${path}[${i}]`, block.type);
      return stringOf(block.text);
    })
    .join('\n\n');
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function unsupported(path: string, type: string): UnsupportedRequestError {
  return new UnsupportedRequestError(
    path,
    `a ${JSON.stringify(type)} block cannot be translated for a provider of the other protocol`,
  );
}

function parseArguments(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text === '' ? '{}' : text);
    return typeof value === 'object' && value !== null ? value : { value };
  } catch {
    return {};
  }
}
