import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, signerFromKey } from '../../client/action-signer';
import {
  AccessRefused,
  authorize,
  DEFAULT_ACTION_ROLES,
  normalisePublicKey,
  verifyProofs,
  type AccessPolicy,
} from '../../domain/access';
import type { AuditEntry } from '../../domain/audit-entry';
import { parseConfig, ConfigError } from '../../platform/config/schema';
import { refusal } from '../helpers/refusal';

// Signatures made with node:crypto in the CLI must verify with the pure-JavaScript verifier the workflow
// runs, and every way of getting it wrong must be refused with its own reason.

const alice = generateSigningKey();
const carol = generateSigningKey();
const signAlice = signerFromKey(createPrivateKey(alice.privateKeyPem));
const signCarol = signerFromKey(createPrivateKey(carol.privateKeyPem));
const policy: AccessPolicy = {
  roster: {
    alice: { roles: ['responder'], publicKey: alice.publicKey },
    carol: { roles: ['legal'], publicKey: carol.publicKey },
  },
  actionRoles: DEFAULT_ACTION_ROLES,
  maxSignatureAgeSeconds: 300,
  fingerprint: 'test',
};
const now = new Date('2026-11-22T10:00:00Z');

describe('authorize', () => {
  it('allows everything when no roster is configured', () => {
    expect(authorize(undefined, 'INC-1', 'close', { actor: 'anyone' }, now)).toBeUndefined();
    expect(authorize({ ...policy, roster: {} }, 'INC-1', 'close', { actor: 'anyone' }, now)).toBeUndefined();
  });

  it('accepts a signature made by node:crypto and returns the roles', () => {
    const { input, updateId } = signCarol.sign(
      'INC-1',
      'recordRegulatorFiling',
      { actor: 'carol', reference: 'CNIL-1' },
      now,
    );
    expect(authorize(policy, 'INC-1', 'recordRegulatorFiling', input, now, updateId)).toEqual(['legal']);
  });

  it('refuses each forgery with its own reason', () => {
    const good = signCarol.sign('INC-1', 'recordRegulatorFiling', { actor: 'carol', reference: 'CNIL-1' }, now);
    expect(
      refusal(AccessRefused, () =>
        authorize(policy, 'INC-1', 'recordRegulatorFiling', { actor: 'carol', reference: 'CNIL-1' }, now),
      ).reason,
    ).toBe('unsigned');
    expect(
      refusal(AccessRefused, () =>
        authorize(policy, 'INC-1', 'recordRegulatorFiling', { ...good.input, actor: 'mallory' }, now),
      ).reason,
    ).toBe('unknown-actor');
    // Signed by alice's key while claiming to be carol.
    const wrongKey = signAlice.sign('INC-1', 'recordRegulatorFiling', { actor: 'carol', reference: 'CNIL-1' }, now);
    expect(
      refusal(AccessRefused, () =>
        authorize(policy, 'INC-1', 'recordRegulatorFiling', wrongKey.input, now, wrongKey.updateId),
      ).reason,
    ).toBe('bad-signature');
    // Changed after signing, moved to another incident, or to another action.
    expect(
      refusal(AccessRefused, () =>
        authorize(policy, 'INC-1', 'recordRegulatorFiling', { ...good.input, reference: 'CNIL-2' }, now, good.updateId),
      ).reason,
    ).toBe('bad-signature');
    expect(
      refusal(AccessRefused, () => authorize(policy, 'INC-2', 'recordRegulatorFiling', good.input, now, good.updateId))
        .reason,
    ).toBe('bad-signature');
    expect(
      refusal(AccessRefused, () => authorize(policy, 'INC-1', 'waiveObligation', good.input, now, good.updateId))
        .reason,
    ).toBe('bad-signature');
    // Replayed under another update id, or too old.
    expect(
      refusal(AccessRefused, () =>
        authorize(policy, 'INC-1', 'recordRegulatorFiling', good.input, now, 'another-update'),
      ).reason,
    ).toBe('bad-signature');
    expect(
      refusal(AccessRefused, () =>
        authorize(
          policy,
          'INC-1',
          'recordRegulatorFiling',
          good.input,
          new Date(now.getTime() + 301_000),
          good.updateId,
        ),
      ).reason,
    ).toBe('stale-signature');
    // Properly signed, but the role does not allow it.
    const byAlice = signAlice.sign('INC-1', 'recordRegulatorFiling', { actor: 'alice', reference: 'CNIL-1' }, now);
    expect(
      refusal(AccessRefused, () =>
        authorize(policy, 'INC-1', 'recordRegulatorFiling', byAlice.input, now, byAlice.updateId),
      ).reason,
    ).toBe('role');
  });

  it('explains a role refusal in words a person can act on', () => {
    const byAlice = signAlice.sign('INC-1', 'close', { actor: 'alice' }, now);
    expect(() => authorize(policy, 'INC-1', 'close', byAlice.input, now, byAlice.updateId)).toThrow(
      'alice (responder) may not close: it needs the role incident-commander.',
    );
  });
});

describe('public keys in the roster', () => {
  it('accepts the raw base64 key and a PEM public key, and explains anything else', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(alice.publicKey, 'base64')]).toString('base64')}\n-----END PUBLIC KEY-----\n`;
    expect(normalisePublicKey(pem)).toBe(alice.publicKey);
    expect(normalisePublicKey(alice.publicKey)).toBe(alice.publicKey);
    expect(() =>
      parseConfig({ access: { roster: { bob: { roles: ['responder'], publicKey: 'c2hvcnQ=' } } } }, {}, 'test'),
    ).toThrow(ConfigError);
    expect(() =>
      parseConfig({ access: { roster: { bob: { roles: ['janitor'], publicKey: alice.publicKey } } } }, {}, 'test'),
    ).toThrow(/access\.roster\.bob\.roles/);
  });
});

describe('verifyProofs', () => {
  it('re-verifies signed entries against the roster recorded in the trail, and names a changed one', () => {
    const signed = signCarol.sign('INC-1', 'recordRegulatorFiling', { actor: 'carol', reference: 'CNIL-1' }, now);
    const { signature, ...request } = signed.input;
    const entry = (seq: number, actor: string, action: string, details: Record<string, unknown>): AuditEntry => ({
      incidentId: 'INC-1',
      seq,
      at: now.toISOString(),
      actor,
      action,
      details,
      prevHash: '',
      hash: '',
    });
    const entries = [
      entry(1, 'system', 'access.policy-loaded', { members: policy.roster }),
      entry(2, 'carol', 'regulator.filed', {
        reference: 'CNIL-1',
        signedRequest: { action: 'recordRegulatorFiling', signature, input: request },
      }),
    ];
    expect(verifyProofs(entries, 'INC-1')).toEqual({ signed: 1, verified: 1, failures: [] });
    const altered = [
      entries[0],
      entry(2, 'carol', 'regulator.filed', {
        signedRequest: { action: 'recordRegulatorFiling', signature, input: { ...request, reference: 'CNIL-9' } },
      }),
    ];
    expect(verifyProofs(altered, 'INC-1').failures).toEqual([
      { seq: 2, problem: 'the signature of carol does not match the recorded request' },
    ]);
  });
});
