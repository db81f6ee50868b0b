import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PLAIN_PREFIX = 'plain:';
const SEALED_PREFIX = 'v1:';
const IV_BYTES = 12;
const KEY_INFO = 'switchboard webhook secrets v1';

/** A stored secret could not be opened: the encryption key is missing or not the one it was sealed with. */
export class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

/**
 * How webhook secrets are kept. Deliveries must be signed with the secret itself, so it cannot be
 * hashed like an API key: with `SWITCHBOARD_ENCRYPTION_KEY` set it is sealed with AES-256-GCM (a key
 * derived from that setting by HKDF-SHA256, the webhook's id as associated data, so a sealed secret
 * copied to another row does not open); without it, it is stored as plain text (`plain:` prefix), as
 * readable as the rest of the store to whoever can read the store. Secrets sealed before the key is
 * set stay readable; removing or changing the key leaves sealed ones unreadable (their deliveries fail
 * saying so) until the webhook's secret is rotated.
 */
export class WebhookSecretBox {
  private readonly key: Buffer | undefined;

  constructor(encryptionKey: string | undefined) {
    this.key =
      encryptionKey === undefined
        ? undefined
        : Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), KEY_INFO, 32));
  }

  /** Whether secrets are sealed, for the API's description of itself. */
  get encrypts(): boolean {
    return this.key !== undefined;
  }

  seal(secret: string, webhookId: string): string {
    if (this.key === undefined) return `${PLAIN_PREFIX}${secret}`;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(webhookId, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${[iv, cipher.getAuthTag(), sealed].map((b) => b.toString('base64url')).join('.')}`;
  }

  open(stored: string, webhookId: string): string {
    if (stored.startsWith(PLAIN_PREFIX)) return stored.slice(PLAIN_PREFIX.length);
    if (!stored.startsWith(SEALED_PREFIX))
      throw new SecretUnavailableError('the stored secret is unreadable');
    if (this.key === undefined) {
      throw new SecretUnavailableError(
        "the webhook's secret is encrypted and SWITCHBOARD_ENCRYPTION_KEY is not set: set it, or rotate the secret",
      );
    }
    const [iv, tag, sealed] = stored
      .slice(SEALED_PREFIX.length)
      .split('.')
      .map((part) => Buffer.from(part, 'base64url'));
    if (iv === undefined || tag === undefined || sealed === undefined)
      throw new SecretUnavailableError('the stored secret is unreadable');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(webhookId, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnavailableError(
        "the webhook's secret was encrypted with another SWITCHBOARD_ENCRYPTION_KEY: restore that key, or rotate the secret",
      );
    }
  }
}
