import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';

// A checkpoint is the worker's signature over the head of one incident's trail: "entry `seq` of
// `incidentId` has hash `hash`". The chain makes that signature cover every entry before it too, so a
// trail read without Temporal proves itself up to its last checkpoint. Signed with the worker's trail
// key (Ed25519), never a responder's key nor a payload key.

/** Prefixed to every signed message, so a checkpoint signature can never be taken for any other signature. */
export const CHECKPOINT_CONTEXT = 'incident-response trail checkpoint v1\n';

export interface Checkpoint {
  incidentId: string;
  seq: number;
  hash: string;
  /** The worker's clock when it signed. */
  at: string;
  /** Temporal's clock for the same append: when the server scheduled the attempt that wrote it. */
  temporalAt?: string;
  keyId: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Ed25519 over CHECKPOINT_CONTEXT + canonical JSON of the other fields, base64. */
  signature: string;
}

/** The exact bytes a checkpoint's signature covers (what `openssl pkeyutl -verify -rawin` is given). */
export function checkpointMessage(cp: Checkpoint): Buffer {
  const { incidentId, seq, hash, at, temporalAt, keyId } = cp;
  return Buffer.from(CHECKPOINT_CONTEXT + canonicalJson({ incidentId, seq, hash, at, temporalAt, keyId }), 'utf8');
}

/**
 * A trail key's fingerprint, what an organisation publishes for recipients to compare: the SHA-256 of
 * its raw 32-byte public key (`openssl pkey -pubin -in KEY.pem -outform DER | tail -c 32 | sha256sum`).
 */
export function trailKeyFingerprint(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'jwk' }).x;
  return createHash('sha256')
    .update(Buffer.from(String(raw), 'base64url'))
    .digest('hex');
}

/** A trail key's id: the first 16 hex digits of its fingerprint. */
export function trailKeyId(publicKey: KeyObject): string {
  return trailKeyFingerprint(publicKey).slice(0, 16);
}

export function signCheckpoint(cp: Checkpoint, privateKey: KeyObject): SignedCheckpoint {
  return { ...cp, signature: sign(null, checkpointMessage(cp), privateKey).toString('base64') };
}

export function checkpointSignatureValid(cp: SignedCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointMessage(cp), publicKey, Buffer.from(cp.signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * A trail public key as written in configuration or a bundle: PEM (SPKI), or the raw 32-byte key in
 * base64. Throws with a message naming what was wrong.
 */
export function parseTrailPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) key = createPublicKey(trimmed);
    else {
      const raw = Buffer.from(trimmed, 'base64');
      if (raw.length !== 32) throw new Error('not 32 bytes');
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    }
  } catch {
    throw new Error(
      `"${trimmed.slice(0, 24)}…" is not an Ed25519 public key: give a PEM public key or the raw 32-byte key in base64`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a trail key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

/** The public key as PEM (SPKI): what a bundle carries and what openssl reads. */
export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/** Public keys by id: the keys whose checkpoints a verifier accepts. */
export type TrailKeys = ReadonlyMap<string, KeyObject>;

export function trailKeysFrom(publicKeys: KeyObject[]): Map<string, KeyObject> {
  return new Map(publicKeys.map((k) => [trailKeyId(k), k]));
}

/** Parses one line of a checkpoint file; undefined when it is not a checkpoint. */
export function parseCheckpoint(line: string): SignedCheckpoint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const cp = value as Partial<SignedCheckpoint> | null;
  if (
    !cp ||
    typeof cp !== 'object' ||
    typeof cp.incidentId !== 'string' ||
    typeof cp.seq !== 'number' ||
    typeof cp.hash !== 'string' ||
    typeof cp.at !== 'string' ||
    typeof cp.keyId !== 'string' ||
    typeof cp.signature !== 'string' ||
    (cp.temporalAt !== undefined && typeof cp.temporalAt !== 'string')
  )
    return undefined;
  return cp as SignedCheckpoint;
}
