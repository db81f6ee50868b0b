import type { EvaluationContext } from '@switchboard/core';
import { type GatewayDialect, GatewayError } from './gateway-errors.js';
import { GATEWAY_LIMITS } from './gateway-schemas.js';

/** Whose params win when both the variant and the request set one. */
export type Precedence = 'variant' | 'request';

/** What a gateway request asks, besides its messages: which flag, for whom, with which variables. */
export interface GatewayCall {
  dialect: GatewayDialect;
  flagKey: string;
  /** The unit (targeting key), when the request names one. */
  unit: string | undefined;
  context: EvaluationContext;
  variables: Record<string, unknown>;
  precedence: Precedence;
  stream: boolean;
}

const FLAG_PREFIX = 'flag:';

/** Headers as Fastify gives them (lowercase names). */
type Headers = Record<string, string | string[] | undefined>;

/**
 * Reads what the gateway needs from a validated body and the request headers. The flag is
 * `model: "flag:<key>"` or the `x-switchboard-flag` header (both naming different flags is refused);
 * the unit is `x-switchboard-user`, else the body's `user` (OpenAI) or `metadata.user_id` (Anthropic),
 * else the context's `targetingKey`/`userId`.
 */
export function readGatewayCall(
  dialect: GatewayDialect,
  body: { model: string; stream?: boolean | null | undefined; user?: unknown; metadata?: unknown },
  headers: Headers,
): GatewayCall {
  const fromModel = body.model.startsWith(FLAG_PREFIX) ? body.model.slice(FLAG_PREFIX.length) : undefined;
  const fromHeader = header(headers, 'x-switchboard-flag');
  if (fromModel !== undefined && fromHeader !== undefined && fromModel !== fromHeader) {
    throw new GatewayError(
      400,
      'flag_conflict',
      `model names flag "${fromModel}" and x-switchboard-flag names "${fromHeader}": name one`,
      { param: 'x-switchboard-flag' },
    );
  }
  const flagKey = fromHeader ?? fromModel;
  if (flagKey === undefined || flagKey === '') {
    throw new GatewayError(
      400,
      'flag_required',
      'model: name a flag as "flag:<key>", or send the x-switchboard-flag header',
      { param: 'model' },
    );
  }
  const context = jsonObjectHeader(headers, 'x-switchboard-context');
  const bodyUser =
    dialect === 'openai'
      ? body.user
      : ((body.metadata as { user_id?: unknown } | undefined)?.user_id ?? undefined);
  const unit =
    header(headers, 'x-switchboard-user') ??
    (typeof bodyUser === 'string' && bodyUser !== '' ? bodyUser : undefined) ??
    contextUnit(context);
  if (unit !== undefined && unit.length > GATEWAY_LIMITS.unitLength) {
    throw new GatewayError(
      400,
      'invalid_user',
      `x-switchboard-user: at most ${GATEWAY_LIMITS.unitLength} characters`,
      {
        param: 'x-switchboard-user',
      },
    );
  }
  return {
    dialect,
    flagKey,
    unit,
    context: unit === undefined ? context : { ...context, targetingKey: unit },
    variables: jsonObjectHeader(headers, 'x-switchboard-variables'),
    precedence: precedenceOf(headers),
    stream: body.stream === true,
  };
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function jsonObjectHeader(headers: Headers, name: string): Record<string, unknown> {
  const text = header(headers, name);
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatewayError(400, 'invalid_header', `${name}: must be a JSON object`, { param: name });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(400, 'invalid_header', `${name}: must be a JSON object`, { param: name });
  }
  return value as Record<string, unknown>;
}

function contextUnit(context: EvaluationContext): string | undefined {
  const unit = context.targetingKey ?? context.userId;
  return typeof unit === 'string' && unit !== '' ? unit : undefined;
}

function precedenceOf(headers: Headers): Precedence {
  const value = header(headers, 'x-switchboard-precedence');
  if (value === undefined || value === 'variant') return 'variant';
  if (value === 'request') return 'request';
  throw new GatewayError(400, 'invalid_header', 'x-switchboard-precedence: must be variant or request', {
    param: 'x-switchboard-precedence',
  });
}
