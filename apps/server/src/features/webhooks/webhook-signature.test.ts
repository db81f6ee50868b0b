import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { retryDelayMs, WEBHOOK_MAX_ATTEMPTS } from './webhook-retry-policy.js';
import { SecretUnavailableError, WebhookSecretBox } from './webhook-secret-box.js';
import { signatureHeader, verifyWebhookSignature, webhookSignature } from './webhook-signature.js';

const SECRET = 'whsec_test-secret';
const NOW = new Date('2026-06-01T12:00:00.000Z');
const T = NOW.getTime() / 1000;
const BODY = '{"type":"flag.disabled","flag":"checkout"}';

describe('webhook signatures', () => {
  it('are the hex HMAC-SHA256 of "<t>.<body>" under the secret, as Stripe signs', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(webhookSignature(BODY, SECRET, T)).toBe(expected);
    expect(signatureHeader(BODY, SECRET, NOW)).toBe(`t=${T},v1=${expected}`);
  });

  it('verify a delivery signed with the secret, within the tolerance, from text or bytes', () => {
    const header = signatureHeader(BODY, SECRET, NOW);
    expect(verifyWebhookSignature(BODY, header, SECRET, { now: NOW })).toEqual({ ok: true, timestamp: T });
    expect(
      verifyWebhookSignature(Buffer.from(BODY), header, SECRET, { now: new Date(NOW.getTime() + 299_000) })
        .ok,
    ).toBe(true);
    expect(verifyWebhookSignature(BODY, [header], SECRET, { now: NOW }).ok).toBe(true);
  });

  it('refuse a replay outside the tolerance, whichever side of it', () => {
    const header = signatureHeader(BODY, SECRET, NOW);
    for (const skewMs of [301_000, -301_000, 86_400_000]) {
      const now = new Date(NOW.getTime() + skewMs);
      expect(verifyWebhookSignature(BODY, header, SECRET, { now })).toEqual({
        ok: false,
        problem: 'timestamp-outside-tolerance',
        timestamp: T,
      });
    }
    expect(
      verifyWebhookSignature(BODY, header, SECRET, {
        now: new Date(NOW.getTime() + 20_000),
        toleranceSeconds: 10,
      }).ok,
    ).toBe(false);
  });

  it('refuse a tampered body, another secret, a re-dated header, and malformed headers', () => {
    const header = signatureHeader(BODY, SECRET, NOW);
    const mismatch = { ok: false, problem: 'signature-mismatch', timestamp: T };
    expect(verifyWebhookSignature(BODY.replace('disabled', 'enabled'), header, SECRET, { now: NOW })).toEqual(
      mismatch,
    );
    expect(verifyWebhookSignature(`${BODY} `, header, SECRET, { now: NOW })).toEqual(mismatch);
    expect(verifyWebhookSignature(BODY, header, 'whsec_other', { now: NOW })).toEqual(mismatch);
    // A captured signature moved to a fresh timestamp no longer matches: the timestamp is signed.
    const redated = header.replace(`t=${T}`, `t=${T + 60}`);
    expect(verifyWebhookSignature(BODY, redated, SECRET, { now: NOW }).ok).toBe(false);
    expect(verifyWebhookSignature(BODY, undefined, SECRET, { now: NOW })).toEqual({
      ok: false,
      problem: 'missing-header',
    });
    for (const bad of [
      '',
      'v1=abc',
      `t=${T}`,
      `t=soon,v1=${'0'.repeat(64)}`,
      'garbage',
      `t=${T},v0=${'a'.repeat(64)}`,
    ]) {
      expect(verifyWebhookSignature(BODY, bad, SECRET, { now: NOW }).ok, bad).toBe(false);
    }
  });

  it('accept any of several v1 signatures (a receiver checking during a rotation)', () => {
    const good = webhookSignature(BODY, SECRET, T);
    const header = `t=${T},v1=${'0'.repeat(64)},v1=${good}`;
    expect(verifyWebhookSignature(BODY, header, SECRET, { now: NOW }).ok).toBe(true);
  });
});

describe('the retry schedule', () => {
  it('waits 10 s, then four times longer each time, at most 6 h, and longer when the receiver asks', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n) / 1000)).toEqual([
      10, 40, 160, 640, 2560, 10240, 21600,
    ]);
    expect(retryDelayMs(1, 120_000)).toBe(120_000);
    expect(retryDelayMs(3, 1_000)).toBe(160_000);
    expect(retryDelayMs(1, 86_400_000)).toBe(21_600_000);
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(8);
  });
});

describe('webhook secrets at rest', () => {
  const KEY = 'k'.repeat(40);

  it('are sealed with the encryption key, bound to their webhook, and opened again', () => {
    const box = new WebhookSecretBox(KEY);
    const sealed = box.seal(SECRET, 'webhook-1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain(SECRET);
    expect(box.seal(SECRET, 'webhook-1')).not.toBe(sealed);
    expect(box.open(sealed, 'webhook-1')).toBe(SECRET);
    expect(() => box.open(sealed, 'webhook-2')).toThrow(SecretUnavailableError);
    expect(() => new WebhookSecretBox('x'.repeat(40)).open(sealed, 'webhook-1')).toThrow(
      /another SWITCHBOARD_ENCRYPTION_KEY/,
    );
    expect(() => new WebhookSecretBox(undefined).open(sealed, 'webhook-1')).toThrow(
      /SWITCHBOARD_ENCRYPTION_KEY is not set/,
    );
  });

  it('are plain text without a key, and stay readable once a key is set', () => {
    const plain = new WebhookSecretBox(undefined).seal(SECRET, 'webhook-1');
    expect(plain).toBe(`plain:${SECRET}`);
    expect(new WebhookSecretBox(KEY).open(plain, 'webhook-1')).toBe(SECRET);
  });

  it('take their key from SWITCHBOARD_ENCRYPTION_KEY, refusing a short one without quoting it', () => {
    expect(loadConfig({ SWITCHBOARD_ENCRYPTION_KEY: KEY }).encryptionKey?.reveal()).toBe(KEY);
    expect(loadConfig({}).encryptionKey).toBeUndefined();
    expect(JSON.stringify(loadConfig({ SWITCHBOARD_ENCRYPTION_KEY: KEY }))).not.toContain(KEY);
    expect(() => loadConfig({ SWITCHBOARD_ENCRYPTION_KEY: 'too-short-secret' })).toThrow(
      /SWITCHBOARD_ENCRYPTION_KEY: must be at least 32 characters/,
    );
    let message = '';
    try {
      loadConfig({ SWITCHBOARD_ENCRYPTION_KEY: 'too-short-secret' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('SWITCHBOARD_ENCRYPTION_KEY');
    expect(message).not.toContain('too-short-secret');
  });
});
