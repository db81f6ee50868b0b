import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  describeErrorBody,
  errorKindOf,
  ProviderError,
  parseRetryAfter,
  providerErrorFromResponse,
} from '../src/index.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads seconds, fractions, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '20' }), NOW)).toBe(20_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.5' }), NOW)).toBe(500);
    expect(parseRetryAfter(new Headers({ 'retry-after': new Date(NOW + 90_000).toUTCString() }), NOW)).toBe(
      90_000,
    );
    expect(parseRetryAfter(new Headers({ 'retry-after': new Date(NOW - 5_000).toUTCString() }), NOW)).toBe(0);
    expect(parseRetryAfter(new Headers({ 'retry-after': '20', 'retry-after-ms': '250' }), NOW)).toBe(250);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(new Headers(), NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '-3' }), NOW)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': 'x', 'retry-after': '1' }), NOW)).toBe(1000);
  });
});

describe('errorKindOf', () => {
  it('classifies statuses', () => {
    expect([429, 529, 408, 400, 401, 404, 422, 500, 502, 503, 504, 302].map((s) => errorKindOf(s))).toEqual([
      'rate_limit',
      'rate_limit',
      'timeout',
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'invalid_request',
      'server',
      'server',
      'server',
      'server',
      'other',
    ]);
  });

  it('classifies provider error types when there is no status (errors inside a stream)', () => {
    expect(errorKindOf(undefined, 'overloaded_error')).toBe('rate_limit');
    expect(errorKindOf(undefined, 'rate_limit_error')).toBe('rate_limit');
    expect(errorKindOf(undefined, 'api_error')).toBe('server');
    expect(errorKindOf(undefined, 'server_error')).toBe('server');
    expect(errorKindOf(undefined, 'invalid_request_error')).toBe('invalid_request');
    expect(errorKindOf(undefined, 'something_new')).toBe('other');
    expect(errorKindOf(undefined)).toBe('other');
    // Anthropic sends overloaded_error with 529, but a proxy may turn it into a 500.
    expect(errorKindOf(500, 'overloaded_error')).toBe('rate_limit');
  });
});

describe('describeErrorBody', () => {
  it('reads OpenAI and Anthropic error bodies', () => {
    expect(
      describeErrorBody({
        error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
      }),
    ).toEqual({ type: 'rate_limit_exceeded', message: 'Rate limit reached' });
    expect(
      describeErrorBody({
        error: { message: 'Bad', type: 'invalid_request_error', code: 'context_length_exceeded' },
      }),
    ).toEqual({
      type: 'invalid_request_error',
      message: 'Bad',
    });
    expect(
      describeErrorBody({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ).toEqual({
      type: 'overloaded_error',
      message: 'Overloaded',
    });
    expect(describeErrorBody('<html>')).toEqual({ type: undefined, message: undefined });
  });
});

describe('providerErrorFromResponse', () => {
  it('keeps the status, type, Retry-After, body and headers', () => {
    const headers = new Headers({ 'retry-after': '3' });
    const body = JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    const error = providerErrorFromResponse({ provider: 'anthropic', status: 429, headers, body, now: NOW });
    expect(error).toMatchObject({
      name: 'ProviderError',
      kind: 'rate_limit',
      retryable: true,
      status: 429,
      type: 'rate_limit_error',
      retryAfterMs: 3000,
      provider: 'anthropic',
      body,
      headers,
    });
    expect(error.message).toBe('anthropic: HTTP 429 rate_limit_error: slow down');
  });
});

describe('classifyFailure', () => {
  it('tells a timeout from a connection failure from the caller’s abort', () => {
    const fetchFailed = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNRESET', message: 'reset' },
    });
    expect(classifyFailure(fetchFailed, undefined, 'p')).toMatchObject({ kind: 'connection' });
    const headersTimeout = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'UND_ERR_HEADERS_TIMEOUT' },
    });
    expect(classifyFailure(headersTimeout, undefined, 'p')).toMatchObject({ kind: 'timeout' });
    const timedOut = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    expect(classifyFailure(new Error('aborted'), timedOut, 'p')).toMatchObject({ kind: 'timeout' });
    const reason = new Error('user left');
    expect(classifyFailure(new Error('aborted'), AbortSignal.abort(reason), 'p')).toBe(reason);
    const mine = new ProviderError('budget', { kind: 'timeout' });
    expect(classifyFailure(new Error('aborted'), AbortSignal.abort(mine), 'p')).toBe(mine);
  });
});
