import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LinkRefused, signLinkToken, verifyLinkToken, type LinkClaims } from '../../../domain/links/link-token';
import { LinkKeyError, loadLinkSigner, trustedLinkKeys } from '../../../platform/link-key';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'link-key-'));
const signer = loadLinkSigner({ dataDir, links: { publicKeys: [] } }, { create: true });
const other = loadLinkSigner(
  { dataDir: mkdtempSync(path.join(os.tmpdir(), 'link-key-')), links: { publicKeys: [] } },
  { create: true },
);
const NOW = new Date('2026-12-03T06:00:00Z');
const claims: LinkClaims = {
  v: 1,
  id: 'lnk-1',
  action: 'acknowledge',
  incidentId: 'INC-20261203-0001',
  recipient: 'CTO@Example.com',
  issuedAt: '2026-12-03T05:00:00.000Z',
  expiresAt: '2026-12-06T05:00:00.000Z',
};
const token = signLinkToken(claims, signer.sign);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(LinkRefused);
    expect((err as Error).message).not.toContain(token);
    return (err as LinkRefused).reason;
  }
  throw new Error('the link was accepted');
}

/** Flips one character of the token's claims or signature, keeping it base64url. */
function altered(at: number): string {
  const c = token[at] === 'A' ? 'B' : 'A';
  return token.slice(0, at) + c + token.slice(at + 1);
}

describe('signed links', () => {
  it('gives back the claims of a genuine link, the recipient in lower case, and the token is URL-safe', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const got = verifyLinkToken(token, [signer.publicKey], NOW, {
      action: 'acknowledge',
      incidentId: 'INC-20261203-0001',
      recipient: 'cto@example.com',
    });
    expect(got).toEqual({ ...claims, recipient: 'cto@example.com' });
    expect(signLinkToken(claims, signer.sign)).toBe(token);
  });

  it('refuses a forged, altered, truncated or foreign-key link, saying why', () => {
    expect(refusal(() => verifyLinkToken(token, [other.publicKey], NOW))).toBe('bad-signature');
    expect(refusal(() => verifyLinkToken(signLinkToken(claims, other.sign), [signer.publicKey], NOW))).toBe(
      'bad-signature',
    );
    expect(refusal(() => verifyLinkToken(altered(10), [signer.publicKey], NOW))).toMatch(/malformed|bad-signature/);
    expect(refusal(() => verifyLinkToken(altered(token.length - 5), [signer.publicKey], NOW))).toBe('bad-signature');
    expect(refusal(() => verifyLinkToken(token.slice(0, 40), [signer.publicKey], NOW))).toBe('malformed');
    expect(refusal(() => verifyLinkToken(`${token}.x`, [signer.publicKey], NOW))).toBe('malformed');
    expect(refusal(() => verifyLinkToken('', [signer.publicKey], NOW))).toBe('malformed');
    // Claims changed and re-encoded with the old signature: the signature no longer matches.
    const [, sig] = token.split('.');
    const richer = Buffer.from(JSON.stringify({ ...claims, action: 'open-board' })).toString('base64url');
    expect(refusal(() => verifyLinkToken(`${richer}.${sig}`, [signer.publicKey], NOW))).toBe('bad-signature');
  });

  it('refuses an expired link, one from the future, and one used for another action, incident or person', () => {
    expect(refusal(() => verifyLinkToken(token, [signer.publicKey], new Date(claims.expiresAt)))).toBe('expired');
    expect(refusal(() => verifyLinkToken(token, [signer.publicKey], new Date('2026-12-03T04:00:00Z')))).toBe(
      'not-yet-valid',
    );
    const keys = [signer.publicKey];
    expect(refusal(() => verifyLinkToken(token, keys, NOW, { action: 'open-board' }))).toBe('wrong-action');
    expect(refusal(() => verifyLinkToken(token, keys, NOW, { incidentId: 'INC-20261203-0002' }))).toBe(
      'wrong-incident',
    );
    expect(refusal(() => verifyLinkToken(token, keys, NOW, { recipient: 'ceo@example.com' }))).toBe('wrong-recipient');
  });

  it('accepts a link made by any trusted key: this worker and the ones listed after a rotation', () => {
    const keys = trustedLinkKeys({ dataDir, links: { publicKeys: [other.publicKey] } }, signer);
    expect(keys).toEqual([signer.publicKey, other.publicKey]);
    expect(verifyLinkToken(signLinkToken(claims, other.sign), keys, NOW).id).toBe('lnk-1');
  });
});

describe('the link key', () => {
  it('is made once on the embedded default, readable by its owner only, and kept across starts', () => {
    const again = loadLinkSigner({ dataDir, links: { publicKeys: [] } }, { create: true });
    expect(signer.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.publicKey).toBe(signer.publicKey);
    expect(statSync(signer.file).mode & 0o777).toBe(0o600);
  });

  it('is refused with the setting named when missing on a cluster, not Ed25519, or a bad public key', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'link-key-'));
    expect(() => loadLinkSigner({ dataDir: empty, links: { publicKeys: [] } })).toThrow(
      /No link key.*INCIDENT_LINK_KEY_FILE/,
    );
    const rsa = path.join(empty, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    expect(() => loadLinkSigner({ dataDir: empty, links: { keyFile: rsa, publicKeys: [] } })).toThrow(
      /links\.keyFile.*RSA; the link key must be Ed25519/,
    );
    expect(() => trustedLinkKeys({ dataDir, links: { publicKeys: ['not a key'] } })).toThrow(LinkKeyError);
    expect(() => trustedLinkKeys({ dataDir, links: { publicKeys: ['not a key'] } })).toThrow(/links\.publicKeys\[0\]/);
    expect(readFileSync(signer.file, 'utf8')).toContain('PRIVATE KEY');
  });
});
