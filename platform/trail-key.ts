import { createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { ensureEd25519KeyFile, readEd25519PrivateKey, type KeyFileRole } from './ed25519-key-file';
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

const TRAIL_KEY_ROLE: KeyFileRole = {
  name: 'the trail key',
  help: TRAIL_KEY_HELP,
  fail: (message) => new TrailKeyError(message),
};

const readPrivateKey = (file: string, setting: string) => readEd25519PrivateKey(file, setting, TRAIL_KEY_ROLE);

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
  const created = ensureEd25519KeyFile(
    file,
    create,
    () =>
      new TrailKeyError(
        `No trail key: a worker for a Temporal cluster needs its own key to sign the audit trail. ${TRAIL_KEY_HELP}`,
      ),
  );
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
