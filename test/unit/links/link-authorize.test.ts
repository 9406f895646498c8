import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessRefused, authorize, type LinkTrust } from '../../../domain/access';
import { signLinkToken, type LinkClaims } from '../../../domain/links/link-token';
import { loadLinkSigner } from '../../../platform/link-key';

// Without a roster, anyone may act under any name; a link, though, claims to be the recipient's own
// proof, so it is checked all the same: a forged or borrowed link must not be recorded "via mail link".

const signer = loadLinkSigner(
  { dataDir: mkdtempSync(path.join(os.tmpdir(), 'link-authorize-')), links: { publicKeys: [] } },
  { create: true },
);
const trust: LinkTrust = { publicKeys: [signer.publicKey], recipients: ['ciso@example.com', 'cto@example.com'] };
const now = new Date('2026-12-03T06:00:00Z');
const link = (over: Partial<LinkClaims> = {}) =>
  signLinkToken(
    {
      v: 1,
      id: 'lnk-1',
      action: 'acknowledge',
      incidentId: 'INC-1',
      recipient: 'cto@example.com',
      issuedAt: '2026-12-03T05:00:00.000Z',
      expiresAt: '2026-12-04T05:00:00.000Z',
      ...over,
    },
    signer.sign,
  );

function refusedWith(action: string, actor: string, token: string, links: LinkTrust | null = trust): string {
  try {
    authorize(undefined, 'INC-1', action, { actor, link: { token } }, now, undefined, links ?? undefined);
  } catch (err) {
    expect(err).toBeInstanceOf(AccessRefused);
    expect((err as AccessRefused).reason).toBe('bad-link');
    expect((err as Error).message).not.toContain(token);
    return (err as Error).message;
  }
  return 'allowed';
}

describe('a mail link without a roster', () => {
  it("acknowledges as the link's recipient, whatever the case of the address", () => {
    expect(refusedWith('acknowledge', 'CTO@Example.com', link())).toBe('allowed');
  });

  it('is refused for anything else, anyone else, or any other link', () => {
    expect(refusedWith('addNote', 'cto@example.com', link())).toMatch(/can only acknowledge/);
    expect(refusedWith('acknowledge', 'ciso@example.com', link())).toMatch(/sent to someone else/);
    expect(refusedWith('acknowledge', 'cto@example.com', link({ incidentId: 'INC-2' }))).toMatch(/another incident/);
    expect(refusedWith('acknowledge', 'cto@example.com', link({ action: 'open-incident' }))).toMatch(/another action/);
    expect(refusedWith('acknowledge', 'cto@example.com', link({ expiresAt: '2026-12-03T06:00:00.000Z' }))).toMatch(
      /expired/,
    );
    expect(refusedWith('acknowledge', 'm@evil.test', link({ recipient: 'm@evil.test' }))).toMatch(
      /not a recipient the policy names/,
    );
    expect(refusedWith('acknowledge', 'cto@example.com', `${link()}x`)).toMatch(/changed after it was sent/);
    expect(refusedWith('acknowledge', 'cto@example.com', link(), null)).toMatch(/accepts no mail links/);
  });

  it('leaves an action without a link as it was: allowed, as before access control', () => {
    expect(authorize(undefined, 'INC-1', 'acknowledge', { actor: 'anyone' }, now, undefined, trust)).toBeUndefined();
  });
});
