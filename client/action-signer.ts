import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signingMessage, type ActionSignature } from '../domain/access-policy';

// Signs a responder's actions with their Ed25519 key, so the workflow can prove who did what. The private
// key stays on the responder's machine; the roster holds only the public half.

export interface ActionSigner {
  sign<I extends { actor: string }>(
    incidentId: string,
    action: string,
    input: I,
    now?: Date,
  ): { input: I & { signature: ActionSignature }; updateId: string };
}

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export function signerFromKey(privateKey: KeyObject): ActionSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      `The signing key is ${privateKey.asymmetricKeyType ?? 'not a private key'}, not Ed25519; make one with: incident keygen`,
    );
  return {
    sign(incidentId, action, input, now = new Date()) {
      const signedAt = now.toISOString();
      const nonce = randomUUID();
      const value = sign(null, signingMessage(incidentId, action, input, signedAt, nonce), privateKey).toString(
        'base64',
      );
      return { input: { ...input, signature: { signedAt, nonce, value } }, updateId: nonce };
    },
  };
}

/** Reads a PEM private key file; the error says what to do, never what the file contained. */
export function signerFromFile(file: string): ActionSigner {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SigningKeyError(
      `Cannot read the signing key ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}). Make one with: incident keygen --out ${file}`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`${file} is not a PEM private key. Make one with: incident keygen --out ${file}`);
  }
  return signerFromKey(key);
}

/** A new key pair: the private key as PEM (PKCS#8) and the public key as the roster expects it. */
export function generateSigningKey(): { privateKeyPem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: spki.subarray(spki.length - 32).toString('base64'),
  };
}
