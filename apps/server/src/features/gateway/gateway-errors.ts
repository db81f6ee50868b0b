import { z } from 'zod';

/** The protocols the gateway answers in: OpenAI chat completions, Anthropic messages. */
export type GatewayDialect = 'openai' | 'anthropic';

/**
 * A gateway request that cannot be answered, with the status and the words to say it in each
 * protocol's error envelope. `param` names the field or header at fault.
 */
export class GatewayError extends Error {
  override name = 'GatewayError';
  constructor(
    readonly status: number,
    /** OpenAI's `code` (`flag_not_found`, `flag_disabled`…). */
    readonly code: string,
    message: string,
    readonly options: {
      param?: string | undefined;
      /** Extra response headers (Retry-After). */
      headers?: Record<string, string> | undefined;
      /** Extra top-level fields of the body (`retryAfterSeconds`). */
      extra?: Record<string, unknown> | undefined;
    } = {},
  ) {
    super(message);
  }
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export const openAiErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
  retryAfterSeconds: z.number().optional(),
});

/** Anthropic's error body: `{ type: 'error', error: { type, message } }`. */
export const anthropicErrorSchema = z.object({
  type: z.literal('error'),
  error: z.object({ type: z.string(), message: z.string() }),
  retryAfterSeconds: z.number().optional(),
});

/** The statuses a gateway route may answer with an error, each documented with its dialect's envelope. */
export const GATEWAY_ERROR_STATUSES = [400, 401, 403, 404, 413, 415, 429, 500, 502, 503, 504] as const;

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** The error body of a dialect for a status, message and code. */
export function errorBody(
  dialect: GatewayDialect,
  status: number,
  message: string,
  code: string,
  param?: string,
): Record<string, unknown> {
  if (dialect === 'anthropic') {
    const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return { type: 'error', error: { type, message } };
  }
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: param ?? null, code } };
}

/** The body of a {@link GatewayError} in a dialect's envelope. */
export function gatewayErrorBody(dialect: GatewayDialect, error: GatewayError): Record<string, unknown> {
  return {
    ...errorBody(dialect, error.status, error.message, error.code, error.options.param),
    ...error.options.extra,
  };
}

/** A server-sent event that reports a failure after the stream began, as each dialect's clients read it. */
export function errorEvent(dialect: GatewayDialect, status: number, message: string, code: string): string {
  const body = JSON.stringify(errorBody(dialect, status, message, code));
  return dialect === 'anthropic' ? `event: error\ndata: ${body}\n\n` : `data: ${body}\n\n`;
}
