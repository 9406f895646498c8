// Who may do what, with proof. Each responder action names its actor and carries that actor's Ed25519
// signature over the incident, the action and the exact input; the workflow checks it against the
// roster before the action enters history. The verifier is pure JavaScript because workflow code has no
// node:crypto; signing happens in the CLI with node:crypto (Ed25519 signatures are the same either way).

import { ed25519 } from '@noble/curves/ed25519';
import { LinkRefused, normaliseRecipient, verifyLinkToken } from './links/link-token';
import { ROSTER_ACTION } from './audit-actions';
import type { AuditEntry } from './audit-entry';
import {
  base64Bytes,
  signingMessage,
  type AccessPolicy,
  type ActionName,
  type ActionSignature,
  type LinkTrust,
  type Role,
  type RosterMember,
  type SignedInput,
} from './access-policy';

export {
  ACTIONS,
  DEFAULT_ACTION_ROLES,
  normalisePublicKey,
  ROLES,
  signingMessage,
  type AccessPolicy,
  type ActionName,
  type ActionSignature,
  type LinkTrust,
  type Role,
  type RosterMember,
  type SignedInput,
} from './access-policy';

export class AccessRefused extends Error {
  constructor(
    message: string,
    readonly reason:
      'unsigned' | 'unknown-actor' | 'bad-signature' | 'stale-signature' | 'role' | 'policy-loading' | 'bad-link',
  ) {
    super(message);
    this.name = 'AccessRefused';
  }
}

/**
 * Decides whether `input` may perform `action` on the incident. Throws AccessRefused with a message for
 * the person; returns the member's roles when allowed. With no policy (no roster configured) every
 * action is allowed, as before access control existed, except one through a mail link: that is checked
 * against `links` (the keys and recipients of the incident's settings) with or without a roster.
 */
export function authorize<I extends { actor: string }>(
  policy: AccessPolicy | undefined,
  incidentId: string,
  action: string,
  request: I,
  now: Date,
  updateId?: string,
  links?: LinkTrust,
): Role[] | undefined {
  const input = request as I & SignedInput;
  // A link is checked with or without a roster: without one, it is still what names the person acting.
  // Any shape may arrive (a malformed update is refused by its validator, never by a TypeError here).
  const link = typeof input === 'object' && input !== null ? (input as { link?: unknown }).link : undefined;
  if (link !== undefined) return authorizeLink(links, incidentId, action, input, now);
  if (!policy || Object.keys(policy.roster).length === 0) return undefined;
  const actor = typeof input?.actor === 'string' ? input.actor : '';
  const member = Object.prototype.hasOwnProperty.call(policy.roster, actor) ? policy.roster[actor] : undefined;
  if (!member) {
    throw new AccessRefused(
      `"${actor.slice(0, 80)}" is not in the roster of people who may act on incidents. Act as yourself (--as NAME) or ask an administrator to add you.`,
      'unknown-actor',
    );
  }
  const sig = input.signature;
  if (
    !sig ||
    typeof sig !== 'object' ||
    typeof sig.value !== 'string' ||
    typeof sig.signedAt !== 'string' ||
    typeof sig.nonce !== 'string'
  ) {
    throw new AccessRefused(
      `The action is not signed. Sign it with ${actor}'s key: set INCIDENT_SIGNING_KEY or --key (incident keygen makes one).`,
      'unsigned',
    );
  }
  const signedAtMs = Date.parse(sig.signedAt);
  const ageSeconds = (now.getTime() - signedAtMs) / 1000;
  if (Number.isNaN(signedAtMs) || Math.abs(ageSeconds) > policy.maxSignatureAgeSeconds) {
    throw new AccessRefused(
      `The signature was made at ${sig.signedAt.slice(0, 40)}, more than ${policy.maxSignatureAgeSeconds} s from now: sign the action again (check this computer's clock).`,
      'stale-signature',
    );
  }
  if (updateId !== undefined && sig.nonce !== updateId) {
    throw new AccessRefused(
      'The signature belongs to another request (its nonce is not this update id); sign the action again.',
      'bad-signature',
    );
  }
  if (!signatureMatches(sig, incidentId, action, input, member.publicKey))
    throw new AccessRefused(
      `The signature does not match ${actor}'s key in the roster: the action was changed after signing, or signed with another key.`,
      'bad-signature',
    );
  const allowed = policy.actionRoles[action as ActionName] ?? [];
  if (!member.roles.some((r) => allowed.includes(r))) {
    const what = action.replace(/([A-Z])/g, ' $1').toLowerCase();
    throw new AccessRefused(
      `${actor} (${member.roles.join(', ')}) may not ${what}: it needs the role ${allowed.join(' or ') || '(none configured)'}.`,
      'role',
    );
  }
  return member.roles;
}

/**
 * A signed mail link is the recipient's proof for acknowledging, and for nothing else: checked with the
 * link keys, for this incident, for a recipient the policy names, who must be the one acting. Returns
 * undefined (nothing to attach as a signed request: the link itself is never written to the trail).
 */
function authorizeLink(
  links: LinkTrust | undefined,
  incidentId: string,
  action: string,
  input: SignedInput,
  now: Date,
): undefined {
  const token = (input as { link?: { token?: unknown } }).link?.token;
  if (action !== 'acknowledge')
    throw new AccessRefused(
      'A link from a mail can only acknowledge an incident; sign other actions with your key.',
      'bad-link',
    );
  if (!links)
    throw new AccessRefused('This installation accepts no mail links: acknowledge with incident ack.', 'bad-link');
  let recipient: string;
  try {
    recipient = verifyLinkToken(String(token ?? ''), links.publicKeys, now, {
      action: 'acknowledge',
      incidentId,
    }).recipient;
  } catch (err) {
    if (err instanceof LinkRefused) throw new AccessRefused(err.message, 'bad-link');
    throw err;
  }
  if (!links.recipients.includes(recipient))
    throw new AccessRefused(
      `${recipient} is not a recipient the policy names, so a mail link cannot act for them.`,
      'bad-link',
    );
  if (typeof input.actor !== 'string' || normaliseRecipient(input.actor) !== recipient)
    throw new AccessRefused(
      'The link was sent to someone else: it acts only for the person it was mailed to.',
      'bad-link',
    );
  return undefined;
}

/** A malformed signature or key is a mismatch, not an error: the action is refused with its reason. */
function signatureMatches(
  sig: ActionSignature,
  incidentId: string,
  action: string,
  input: SignedInput,
  publicKey: string,
): boolean {
  try {
    return ed25519.verify(
      base64Bytes(sig.value),
      signingMessage(incidentId, action, input, sig.signedAt, sig.nonce),
      base64Bytes(publicKey),
    );
  } catch {
    return false;
  }
}

export interface ProofVerdict {
  signed: number;
  verified: number;
  failures: { seq: number; problem: string }[];
}

/**
 * Re-checks every signed action in an audit trail against the roster the trail itself recorded when the
 * policy was loaded (access.policy-loaded holds the public keys), so the check needs nothing else.
 */
export function verifyProofs(entries: AuditEntry[], incidentId: string): ProofVerdict {
  let roster: Record<string, RosterMember> = {};
  const verdict: ProofVerdict = { signed: 0, verified: 0, failures: [] };
  for (const e of entries) {
    if (e.action === ROSTER_ACTION) roster = (e.details.members as Record<string, RosterMember>) ?? {};
    const proof = e.details.signedRequest as
      { action?: string; signature?: ActionSignature; input?: SignedInput } | undefined;
    if (!proof) continue;
    verdict.signed++;
    const member =
      proof.input && Object.prototype.hasOwnProperty.call(roster, proof.input.actor)
        ? roster[proof.input.actor]
        : undefined;
    const sig = proof.signature;
    if (!member || !sig || !proof.input || !proof.action) {
      verdict.failures.push({
        seq: e.seq,
        problem: `signed by "${proof.input?.actor ?? '?'}", who is not in the roster recorded before it`,
      });
      continue;
    }
    const ok = signatureMatches(sig, incidentId, proof.action, proof.input, member.publicKey);
    if (ok && proof.input.actor === e.actor) verdict.verified++;
    else
      verdict.failures.push({
        seq: e.seq,
        problem: `the signature of ${proof.input.actor} does not match the recorded request`,
      });
  }
  return verdict;
}
