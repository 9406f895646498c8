import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrailPublicKey, trailKeyId, trailKeysFrom } from '../domain/audit-checkpoint';

// The worker's trail key: the Ed25519 key that signs audit checkpoints. It is the worker's own, apart
// from responders' keys and payload keys, so that rotating either of those never touches the proof of
// the record. The embedded default makes one under the data dir on first start; a deployment against
// a cluster must name its own (trail.keyFile, INCIDENT_TRAIL_KEY_FILE) and refuses to start without it.

export interface TrailKeySettings {
  dataDir: string;
  trail: { keyFile?: string; publicKeys: string[] };
}

export interface TrailSigner {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  file: string;
  /** Made by this call (the embedded default's first start). */
  created: boolean;
}

export class TrailKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrailKeyError';
  }
}

export const TRAIL_KEY_HELP =
  'Set INCIDENT_TRAIL_KEY_FILE (or trail.keyFile) to an Ed25519 private key in PEM, made with: openssl genpkey -algorithm ed25519 -out trail-key.pem (then chmod 600 trail-key.pem)';

/** Where the embedded default keeps its trail key. */
export function defaultTrailKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'trail-key.pem');
}

/** A key type as a person names it: RSA, EC, Ed448. */
const KEY_TYPE_NAMES: Record<string, string> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  ec: 'EC',
  dsa: 'DSA',
  dh: 'DH',
  ed448: 'Ed448',
  x25519: 'X25519',
  x448: 'X448',
};

function readPrivateKey(file: string, setting: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TrailKeyError(
      `${setting}: cannot read the trail key ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}). ${TRAIL_KEY_HELP}`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new TrailKeyError(`${setting}: ${file} is not a private key in PEM. ${TRAIL_KEY_HELP}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new TrailKeyError(
      `${setting}: ${file} holds a key of type ${KEY_TYPE_NAMES[key.asymmetricKeyType ?? ''] ?? key.asymmetricKeyType}; the trail key must be Ed25519. ${TRAIL_KEY_HELP}`,
    );
  return key;
}

function signerOf(privateKey: KeyObject, file: string, created: boolean): TrailSigner {
  const publicKey = createPublicKey(privateKey);
  return { keyId: trailKeyId(publicKey), privateKey, publicKey, file, created };
}

/**
 * The trail key of this worker: trail.keyFile when set, else the data dir's. With `create` (the embedded
 * default) a missing key is made, readable by its owner only; without it a missing key is refused.
 */
export function loadTrailSigner(settings: TrailKeySettings, { create = false } = {}): TrailSigner {
  if (settings.trail.keyFile) {
    const file = path.resolve(settings.trail.keyFile);
    return signerOf(readPrivateKey(file, 'trail.keyFile (INCIDENT_TRAIL_KEY_FILE)'), file, false);
  }
  const file = path.resolve(defaultTrailKeyFile(settings.dataDir));
  let created = false;
  try {
    readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    if (!create)
      throw new TrailKeyError(
        `No trail key: a worker for a Temporal cluster needs its own key to sign the audit trail. ${TRAIL_KEY_HELP}`,
      );
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (writeErr) {
      // Another process (npm start and npm run demo at once) made it first: use theirs.
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
    }
  }
  return signerOf(readPrivateKey(file, 'the embedded trail key'), file, created);
}

/**
 * The public keys whose checkpoints this installation accepts: trail.publicKeys (old keys kept after a
 * rotation, or the worker's key on a machine without it) and the key of this machine's own trail key
 * file, when it can read one.
 */
export function trustedTrailKeys(settings: TrailKeySettings): Map<string, KeyObject> {
  const keys: KeyObject[] = [];
  settings.trail.publicKeys.forEach((text, i) => {
    try {
      keys.push(parseTrailPublicKey(text));
    } catch (err) {
      throw new TrailKeyError(`trail.publicKeys[${i}]: ${(err as Error).message}`);
    }
  });
  try {
    keys.push(loadTrailSigner(settings).publicKey);
  } catch {
    // No readable trail key here: only the listed public keys are trusted.
  }
  return trailKeysFrom(keys);
}
