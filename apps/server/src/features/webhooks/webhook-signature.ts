import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'Switchboard-Signature';

/** How far from the receiver's clock a signature's timestamp may be, by default: 5 minutes. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Why a signature was refused. */
export type SignatureProblem =
  | 'missing-header'
  | 'malformed-header'
  | 'timestamp-outside-tolerance'
  | 'signature-mismatch'
  | 'replayed';

/** The outcome of {@link verifyWebhookSignature}. */
export type SignatureVerification =
  | { ok: true; timestamp: number }
  | { ok: false; problem: SignatureProblem; timestamp?: number };

/**
 * The hex HMAC-SHA256 of `${timestamp}.${body}` under the webhook's secret: what `v1=` carries.
 * The timestamp is signed with the body, so a captured delivery cannot be replayed later under a new
 * timestamp.
 */
export function webhookSignature(body: string | Uint8Array, secret: string, timestamp: number): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/** The `Switchboard-Signature` header value for a body sent at `now`. */
export function signatureHeader(body: string | Uint8Array, secret: string, now: Date): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${webhookSignature(body, secret, timestamp)}`;
}

/**
 * Checks a delivery on the receiving side: the header's timestamp must be within `toleranceSeconds` of
 * `now` (refusing replays of old deliveries), and one of its `v1` signatures must be the HMAC-SHA256
 * of `${t}.${body}` under the webhook's secret. Pass the body exactly as received (the raw bytes or
 * text, not re-serialised JSON). Never throws.
 *
 * @example
 * const result = verifyWebhookSignature(rawBody, req.headers['switchboard-signature'], secret);
 * if (!result.ok) return res.writeHead(400).end(result.problem);
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  header: string | readonly string[] | undefined | null,
  secret: string,
  options: { toleranceSeconds?: number; now?: Date; replayGuard?: WebhookReplayGuard } = {},
): SignatureVerification {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value.length === 0) return { ok: false, problem: 'missing-header' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    const text = part.slice(at + 1).trim();
    if (name === 't' && /^\d{1,12}$/.test(text)) timestamp = Number(text);
    // Several v1 entries are allowed, as during a secret rotation; other schemes are ignored.
    else if (name === 'v1' && /^[0-9a-f]{64}$/i.test(text)) signatures.push(text.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, problem: 'malformed-header' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance)
    return { ok: false, problem: 'timestamp-outside-tolerance', timestamp };
  const expected = Buffer.from(webhookSignature(body, secret, timestamp), 'hex');
  const matches = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  if (!matches) return { ok: false, problem: 'signature-mismatch', timestamp };
  if (options.replayGuard?.seenBefore(expected.toString('hex'), timestamp, nowSeconds, tolerance))
    return { ok: false, problem: 'replayed', timestamp };
  return { ok: true, timestamp };
}

/**
 * Remembers the signatures a receiver has accepted, for as long as their timestamps are within the
 * tolerance: a delivery captured and sent again inside that window is refused as `replayed` (outside
 * it, the timestamp check refuses it). Pass one to {@link verifyWebhookSignature}; keep one per
 * receiving process.
 *
 * @example
 * const guard = new WebhookReplayGuard();
 * verifyWebhookSignature(rawBody, header, secret, { replayGuard: guard });
 */
export class WebhookReplayGuard {
  private readonly seen = new Map<string, number>();

  /** Records the signature; true when it was recorded before (a replay). */
  seenBefore(signature: string, timestamp: number, nowSeconds: number, toleranceSeconds: number): boolean {
    for (const [s, t] of this.seen) if (Math.abs(nowSeconds - t) > toleranceSeconds) this.seen.delete(s);
    if (this.seen.has(signature)) return true;
    this.seen.set(signature, timestamp);
    return false;
  }
}
