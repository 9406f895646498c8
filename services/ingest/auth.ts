import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Who may post alerts. Senders that can sign use Standard Webhooks (HMAC-SHA256 over
// "id.timestamp.body", several secrets accepted at once for rotation, five-minute tolerance, and each id
// accepted once); those that cannot send a per-source bearer token. Every comparison is constant-time.

export interface SourceCredentials {
  bearerTokens: string[];
  /** Standard Webhooks secrets, "whsec_<base64>" or raw base64. */
  webhookSecrets: string[];
}

export type AuthResult =
  | { ok: true; method: 'bearer' | 'signature'; webhookId?: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'replayed' };

export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal-length buffers, so neither length nor content leaks through timing.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** Remembers webhook ids for the tolerance window, so a captured request cannot be replayed. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000) {}

  /** True when the id is new (and now remembered); false when it was already used. */
  remember(id: string, nowSeconds: number): boolean {
    if (this.seen.size >= this.maxEntries) this.evict(nowSeconds);
    if (this.seen.has(id)) return false;
    this.seen.set(id, nowSeconds);
    return true;
  }

  private evict(nowSeconds: number): void {
    for (const [id, at] of this.seen) {
      if (nowSeconds - at > 2 * SIGNATURE_TOLERANCE_SECONDS) this.seen.delete(id);
    }
    // Still full of fresh ids: drop the oldest half rather than grow without bound.
    if (this.seen.size >= this.maxEntries)
      [...this.seen.keys()].slice(0, this.maxEntries / 2).forEach((k) => this.seen.delete(k));
  }
}

export function authenticate(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  credentials: SourceCredentials,
  replay: ReplayCache,
  nowSeconds: number,
): AuthResult {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signature = header('webhook-signature');
  if (id && timestamp && signature && credentials.webhookSecrets.length) {
    const ts = Number(timestamp);
    if (!Number.isInteger(ts)) return { ok: false, reason: 'invalid' };
    if (Math.abs(nowSeconds - ts) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'expired' };
    const offered = signature
      .split(' ')
      .map((s) => s.trim())
      .filter((s) => s.startsWith('v1,'));
    const valid = credentials.webhookSecrets.some((secret) => {
      const expected = signStandardWebhook(secret, id, ts, body);
      return offered.some((candidate) => sameSecret(candidate, expected));
    });
    if (!valid) return { ok: false, reason: 'invalid' };
    if (!replay.remember(id, nowSeconds)) return { ok: false, reason: 'replayed' };
    return { ok: true, method: 'signature', webhookId: id };
  }
  const authorization = header('authorization');
  if (authorization && credentials.bearerTokens.length) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match && credentials.bearerTokens.some((token) => sameSecret(match[1], token)))
      return { ok: true, method: 'bearer' };
    return { ok: false, reason: 'invalid' };
  }
  return { ok: false, reason: authorization || signature ? 'invalid' : 'missing' };
}
