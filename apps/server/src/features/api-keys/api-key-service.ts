import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ForbiddenError, NotFoundError, ValidationError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { ProjectService } from '../projects/project-service.js';
import type { ApiKey, ApiKeyStore, KeyKind } from './api-key-store.js';

/** Who is calling: the key that authenticated the request. */
export interface Principal {
  keyId: string;
  name: string;
  kind: KeyKind;
  projectId: string | null;
  environmentId: string | null;
}

/** The name written to the audit log for changes made with this key. */
export function actorOf(principal: Principal): Actor {
  return `key:${principal.name}#${principal.keyId.slice(0, 8)}`;
}

/** The file in the data directory holding the key created on first start, for the CLI and dashboard. */
export const ADMIN_KEY_FILE = 'admin-key';

/** How long a verified key is trusted without asking the store again. Revocation clears it at once. */
const AUTH_CACHE_MS = 10_000;
/** `last_used_at` is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;

/** SHA-256 of a key, hex: what the store keeps. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new key: `sb_<kind>_` then 32 random base62 characters (~190 bits). */
function generateKey(kind: KeyKind): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(32);
  let body = '';
  // 62 does not divide 256, but 248 = 4 * 62: bytes below it map without bias; the rest are redrawn.
  for (const b of bytes) if (b < 248) body += alphabet[b % 62];
  while (body.length < 32) {
    const b = randomBytes(1)[0] as number;
    if (b < 248) body += alphabet[b % 62];
  }
  return `sb_${kind}_${body.slice(0, 32)}`;
}

/** What a key looks like in lists and responses: everything but its hash. */
export type PublicApiKey = Omit<ApiKey, 'hash'> & { project: string | null; environment: string | null };

export class ApiKeyService {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();
  private readonly lastTouched = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: ApiKeyStore,
    private readonly projects: ProjectService,
  ) {
    // A key revoked through another replica must stop working here too.
    this.unsubscribe = ctx.bus.subscribe((change) => {
      if (change.resource === 'api-key') this.cache.clear();
    });
  }

  close(): void {
    this.unsubscribe();
  }

  /** The principal for a presented key, or undefined when it is unknown or revoked. */
  async authenticate(key: string): Promise<Principal | undefined> {
    const hash = hashKey(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.until > now) {
      if (cached.principal !== undefined) this.noteUse(cached.principal.keyId, now);
      return cached.principal;
    }
    const found = await this.store.findByHash(hash);
    const principal =
      found === undefined || found.revokedAt !== null
        ? undefined
        : {
            keyId: found.id,
            name: found.name,
            kind: found.kind,
            projectId: found.projectId,
            environmentId: found.environmentId,
          };
    this.cache.set(hash, { principal, until: now + AUTH_CACHE_MS });
    if (principal !== undefined) this.noteUse(principal.keyId, now);
    return principal;
  }

  private noteUse(keyId: string, now: number): void {
    const last = this.lastTouched.get(keyId) ?? 0;
    if (now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(keyId, now);
    // Bookkeeping, not part of the request: a failure here must not fail the request.
    this.store.touch([keyId], this.ctx.clock().toISOString()).catch(() => {});
  }

  async create(
    input: { name: string; kind: KeyKind; project?: string | undefined; environment?: string | undefined },
    actor: Actor,
  ): Promise<{ key: string; apiKey: PublicApiKey }> {
    let projectId: string | null = null;
    let environmentId: string | null = null;
    let projectKey: string | null = null;
    let environmentKey: string | null = null;
    if (input.kind === 'admin') {
      if (input.environment !== undefined)
        throw new ValidationError('body.environment', 'admin keys are not bound to an environment');
    } else {
      if (input.environment === undefined)
        throw new ValidationError('body.environment', `a ${input.kind} key serves one environment: name it`);
      const { project, environment } = await this.projects.resolve(
        input.project ?? 'default',
        input.environment,
      );
      projectId = project.id;
      environmentId = environment.id;
      projectKey = project.key;
      environmentKey = environment.key;
    }
    const key = generateKey(input.kind);
    const at = this.ctx.clock().toISOString();
    const apiKey: ApiKey = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      projectId,
      environmentId,
      hash: hashKey(key),
      prefix: key.slice(0, key.indexOf('_', 3) + 5),
      createdAt: at,
      createdBy: actor,
      lastUsedAt: null,
      revokedAt: null,
    };
    const view = this.toPublic(apiKey, projectKey, environmentKey);
    await this.ctx.database.db.transaction().execute(async (tx) => {
      await this.store.insert(tx, apiKey);
      await this.ctx.audit.append(tx, {
        at,
        actor,
        action: 'api-key.create',
        resourceType: 'api-key',
        resourceKey: apiKey.id,
        project: projectKey,
        environment: environmentKey,
        flag: null,
        before: null,
        after: view,
      });
    });
    return { key, apiKey: view };
  }

  async list(): Promise<PublicApiKey[]> {
    const keys = await this.store.list();
    return Promise.all(keys.map((k) => this.describe(k)));
  }

  async revoke(id: string, actor: Actor): Promise<PublicApiKey> {
    const at = this.ctx.clock().toISOString();
    const existing = await this.store.findById(id);
    if (existing === undefined) throw new NotFoundError('api key', id);
    // Resolved before the transaction: on SQLite's single connection, a read outside the transaction
    // while it is open would wait for it forever.
    const before = await this.describe(existing);
    const after: PublicApiKey = { ...before, revokedAt: existing.revokedAt ?? at };
    const revoked = await this.ctx.database.db.transaction().execute(async (tx) => {
      if (!(await this.store.revoke(tx, id, at))) return false;
      await this.ctx.audit.append(tx, {
        at,
        actor,
        action: 'api-key.revoke',
        resourceType: 'api-key',
        resourceKey: id,
        project: before.project,
        environment: before.environment,
        flag: null,
        before,
        after,
      });
      return true;
    });
    if (!revoked) return this.describe((await this.store.findById(id)) ?? existing);
    this.cache.clear();
    this.ctx.bus.publish({
      resource: 'api-key',
      key: id,
      projectId: existing.projectId ?? '',
      environmentVersions: {},
    });
    return after;
  }

  /**
   * On a store with no key at all, creates an admin key, writes it to `admin-key` in the data directory
   * (mode 0600) and returns it so the caller can print it once. Returns undefined otherwise.
   */
  async bootstrapAdminKey(dataDir: string): Promise<string | undefined> {
    if ((await this.store.count()) > 0) return undefined;
    const { key } = await this.create({ name: 'local admin', kind: 'admin' }, 'system');
    await mkdir(dataDir, { recursive: true });
    const file = join(dataDir, ADMIN_KEY_FILE);
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return key;
  }

  /** Refuses a principal whose key is not of one of these kinds. */
  static require(principal: Principal, kinds: readonly KeyKind[]): void {
    if (!kinds.includes(principal.kind)) {
      throw new ForbiddenError(
        `this endpoint needs a ${kinds.join(' or ')} key; this is a ${principal.kind} key`,
      );
    }
  }

  private async describe(key: ApiKey): Promise<PublicApiKey> {
    let project: string | null = null;
    let environment: string | null = null;
    if (key.environmentId !== null) {
      const env = await this.projects.findEnvironmentById(key.environmentId);
      environment = env?.key ?? null;
      const projects = await this.projects.listProjects();
      project = projects.find((p) => p.id === key.projectId)?.key ?? null;
    }
    return this.toPublic(key, project, environment);
  }

  private toPublic(key: ApiKey, project: string | null, environment: string | null): PublicApiKey {
    const { hash: _hash, ...rest } = key;
    return { ...rest, project, environment };
  }
}
