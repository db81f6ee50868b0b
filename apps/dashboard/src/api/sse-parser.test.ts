import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('yields messages as their blank line arrives, across chunks', () => {
    const parser = new SseParser();
    expect(parser.push('event: put\nid: 3\ndata: {"version"')).toEqual([]);
    expect(parser.push(':3}\n\nevent: patch\r\nid: 4\r\ndata: {}\r\n\r\n: comment\n\n')).toEqual([
      { event: 'put', id: '3', data: '{"version":3}' },
      { event: 'patch', id: '4', data: '{}' },
    ]);
  });

  it('joins data lines and defaults the event name', () => {
    expect(new SseParser().push('data: a\ndata: b\n\n')).toEqual([
      { event: 'message', id: undefined, data: 'a\nb' },
    ]);
  });
});
