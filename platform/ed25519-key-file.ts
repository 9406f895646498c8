import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The worker's own Ed25519 key files (the trail key, the link key): read one, or make one on the embedded
// default's first start. Each caller names its setting and its help, so a refusal says which key is wrong.

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

export interface KeyFileRole {
  /** "the trail key", "the link key" */
  name: string;
  help: string;
  fail: (message: string) => Error;
}

export function readEd25519PrivateKey(file: string, setting: string, role: KeyFileRole): KeyObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw role.fail(
      `${setting}: cannot read ${role.name} ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}). ${role.help}`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw role.fail(`${setting}: ${file} is not a private key in PEM. ${role.help}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw role.fail(
      `${setting}: ${file} holds a key of type ${KEY_TYPE_NAMES[key.asymmetricKeyType ?? ''] ?? key.asymmetricKeyType}; ${role.name} must be Ed25519. ${role.help}`,
    );
  return key;
}

/**
 * Makes the key file when it is missing, readable by its owner only; true when this call made it. A missing
 * key without `create` is refused with `missing`.
 */
export function ensureEd25519KeyFile(file: string, create: boolean, missing: () => Error): boolean {
  try {
    readFileSync(file);
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!create) throw missing();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (writeErr) {
    // Another process (npm start and npm run demo at once) made it first: use theirs.
    if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
    return false;
  }
}
