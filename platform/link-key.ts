import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { normalisePublicKey } from '../domain/access-policy';
import { ensureEd25519KeyFile, readEd25519PrivateKey, type KeyFileRole } from './ed25519-key-file';
import type { LinksConfig } from './config/schema';

// The worker's link key: the Ed25519 key that signs the links in leadership mail. Its own key, apart from
// the trail key that signs the record and the payload keys: a leaked link key lets someone forge a link,
// never rewrite the trail or read a payload. The embedded default makes one under the data dir on first
// start; a worker for a cluster names its own (links.keyFile) and lists the other workers' public keys
// (links.publicKeys) so that any of them, and the board, accept a link any of them mailed.

export class LinkKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkKeyError';
  }
}

export const LINK_KEY_HELP =
  'Set INCIDENT_LINK_KEY_FILE (or links.keyFile) to an Ed25519 private key in PEM, made with: openssl genpkey -algorithm ed25519 -out link-key.pem (then chmod 600 link-key.pem)';

const LINK_KEY_ROLE: KeyFileRole = {
  name: 'the link key',
  help: LINK_KEY_HELP,
  fail: (message) => new LinkKeyError(message),
};

export interface LinkKeySettings {
  dataDir: string;
  links: Pick<LinksConfig, 'keyFile' | 'publicKeys'>;
}

export interface LinkSigner {
  /** Signs the bytes `domain/links/link-token.ts` gives it. */
  sign: (message: Uint8Array) => Uint8Array;
  /** The raw public key in base64, as `verifyLinkToken` takes it. */
  publicKey: string;
  file: string;
  created: boolean;
}

export function defaultLinkKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'link-key.pem');
}

function rawPublicKey(privateKey: KeyObject): string {
  return normalisePublicKey(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64'));
}

/** links.keyFile when set, else the data dir's; with `create` (the embedded default) a missing one is made. */
export function loadLinkSigner(settings: LinkKeySettings, { create = false } = {}): LinkSigner {
  const configured = settings.links.keyFile;
  const file = path.resolve(configured ?? defaultLinkKeyFile(settings.dataDir));
  const created = configured
    ? false
    : ensureEd25519KeyFile(
        file,
        create,
        () =>
          new LinkKeyError(
            `No link key: a worker for a Temporal cluster needs its own key to sign the links in its mail. ${LINK_KEY_HELP}`,
          ),
      );
  const privateKey = readEd25519PrivateKey(
    file,
    configured ? 'links.keyFile (INCIDENT_LINK_KEY_FILE)' : 'the embedded link key',
    LINK_KEY_ROLE,
  );
  return {
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
    publicKey: rawPublicKey(privateKey),
    file,
    created,
  };
}

/** The public keys whose links this installation accepts: links.publicKeys and this machine's own key. */
export function trustedLinkKeys(settings: LinkKeySettings, own?: LinkSigner): string[] {
  const keys = settings.links.publicKeys.map((text, i) => {
    try {
      return normalisePublicKey(text);
    } catch (err) {
      throw new LinkKeyError(`links.publicKeys[${i}] ${(err as Error).message}`);
    }
  });
  return [...new Set([...(own ? [own.publicKey] : []), ...keys])];
}
