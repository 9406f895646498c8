import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The keys that protect incident payloads. One key is active and encrypts; every key in the ring still
// decrypts, so a key rotates without downtime: add the new key, make it active, and remove the old one
// only when no running incident was written with it. A KMS can supply the same shape later.

export interface KeyRing {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

/**
 * Parses "id:base64key,id2:base64key2" (or one entry per line). Each key must be 32 bytes (AES-256). The
 * active key is `activeKeyId` when given, else the last one listed.
 */
export function parseKeyRing(spec: string, activeKeyId?: string): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const entry of spec
    .split(/[\n,]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const i = entry.indexOf(':');
    if (i <= 0) throw new KeyRingError('Each payload key is "id:base64", e.g. 2026-11:q83v…; one entry was not.');
    const id = entry.slice(0, i).trim();
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
      throw new KeyRingError(`Payload key id "${id}" may use letters, digits, . _ - only.`);
    const key = Buffer.from(entry.slice(i + 1).trim(), 'base64');
    if (key.length !== 32)
      throw new KeyRingError(
        `Payload key "${id}" is ${key.length} bytes; AES-256 needs exactly 32 (openssl rand -base64 32).`,
      );
    if (keys.has(id)) throw new KeyRingError(`Payload key "${id}" is listed twice.`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new KeyRingError('The payload key ring is empty.');
  const active = activeKeyId ?? [...keys.keys()].at(-1)!;
  if (!keys.has(active)) throw new KeyRingError(`The active payload key "${active}" is not in the key ring.`);
  return { activeKeyId: active, keys };
}

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

function checkedNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace))
    throw new KeyRingError(
      `Namespace "${namespace.slice(0, 80)}" cannot name a key file: letters, digits, . _ - only.`,
    );
  return namespace;
}

/**
 * INCIDENT_PAYLOAD_KEYS (or INCIDENT_PAYLOAD_KEYS_FILE) and INCIDENT_PAYLOAD_ACTIVE_KEY; undefined when
 * unset. A file path may contain {namespace}, so each tenant's namespace has its own customer-managed keys
 * (e.g. /etc/incident/keys/{namespace}.keys) and a codec server can serve several tenants.
 */
export function keyRingFromEnv(env: NodeJS.ProcessEnv, namespace = 'default'): KeyRing | undefined {
  let spec = env.INCIDENT_PAYLOAD_KEYS;
  const template = env.INCIDENT_PAYLOAD_KEYS_FILE;
  if (!spec && template) {
    const file = template.replaceAll('{namespace}', checkedNamespace(namespace));
    try {
      spec = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KeyRingError(
        `INCIDENT_PAYLOAD_KEYS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
  return spec ? parseKeyRing(spec, env.INCIDENT_PAYLOAD_ACTIVE_KEY || undefined) : undefined;
}

/** The embedded default's key file: one per namespace, the default namespace's where it always was. */
export function keyRingFile(dataDir: string, namespace = 'default'): string {
  return namespace === 'default'
    ? path.join(dataDir, 'keys', 'payload-keys')
    : path.join(dataDir, 'keys', checkedNamespace(namespace), 'payload-keys');
}

/**
 * The key ring of this installation for a namespace: INCIDENT_PAYLOAD_KEYS(_FILE) when set, else the key
 * file under the data dir. With `create`, the embedded default makes that file on first start (a random
 * 256-bit key, readable by its owner only), so payloads are encrypted unless someone chose otherwise.
 */
export function loadKeyRing(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  { create = false, namespace = 'default' } = {},
): KeyRing | undefined {
  const fromEnv = keyRingFromEnv(env, namespace);
  if (fromEnv) return fromEnv;
  if (env.INCIDENT_PAYLOAD_ENCRYPTION === 'off') return undefined;
  const file = keyRingFile(dataDir, namespace);
  if (!existsSync(file)) {
    if (!create) return undefined;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    try {
      writeFileSync(file, `${id}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process (npm start and npm run demo at once) made it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return parseKeyRing(readFileSync(file, 'utf8'), env.INCIDENT_PAYLOAD_ACTIVE_KEY || undefined);
}

/**
 * The ring that encrypts evidence copies and rendered reports at rest, or undefined for plaintext. The
 * setting `atRest` (INCIDENT_AT_REST_ENCRYPTION): auto encrypts whenever the installation has a key ring,
 * which the embedded default always has; on refuses to go on without one; off stores plaintext.
 */
export function atRestKeyRing(mode: 'auto' | 'on' | 'off', ring: KeyRing | undefined): KeyRing | undefined {
  if (mode === 'off') return undefined;
  if (mode === 'on' && !ring) {
    throw new KeyRingError(
      'Encryption at rest is "on" (atRest, INCIDENT_AT_REST_ENCRYPTION) but there is no key ring: set INCIDENT_PAYLOAD_KEYS (or INCIDENT_PAYLOAD_KEYS_FILE), or set it to auto or off.',
    );
  }
  return ring;
}
