import { ed25519 } from '@noble/curves/ed25519';
import type { AuditEntry } from './audit-entry';
import { canonicalJson } from './canonical-json';

// Who may do what, with proof. Each responder action names its actor and carries that actor's Ed25519
// signature over the incident, the action and the exact input; the workflow checks it against the
// roster before the action enters history. The verifier is pure JavaScript because workflow code has no
// node:crypto; signing happens in the CLI with node:crypto (Ed25519 signatures are the same either way).

export const ROLES = ['responder', 'incident-commander', 'legal', 'communications', 'leadership', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Update names of the incident workflow: the actions a person can take. */
export const ACTIONS = [
  'acknowledge',
  'addSystem',
  'collectEvidence',
  'retryStep',
  'manualStep',
  'assess',
  'approveCustomerNotice',
  'recordRegulatorFiling',
  'recordContact',
  'assignRca',
  'recordConclusions',
  'restore',
  'requestRfo',
  'sendRfo',
  'addNote',
  'waiveObligation',
  'generateReports',
  'close',
] as const;
export type ActionName = (typeof ACTIONS)[number];

const OPERATORS: Role[] = ['responder', 'incident-commander'];
/**
 * The default mapping; configuration overrides it per action. The four decisions with legal weight
 * (customer notice, regulator filing, waiver, closing) need the roles that answer for them; auditors read
 * and render reports but change nothing.
 */
export const DEFAULT_ACTION_ROLES: Record<ActionName, Role[]> = {
  acknowledge: ['responder', 'incident-commander', 'leadership'],
  addSystem: OPERATORS,
  collectEvidence: OPERATORS,
  retryStep: OPERATORS,
  manualStep: OPERATORS,
  assess: ['incident-commander', 'legal'],
  approveCustomerNotice: ['legal', 'communications'],
  recordRegulatorFiling: ['legal'],
  recordContact: ['responder', 'incident-commander', 'legal', 'communications'],
  assignRca: ['incident-commander'],
  recordConclusions: OPERATORS,
  restore: ['incident-commander'],
  requestRfo: ['communications', 'incident-commander'],
  sendRfo: ['communications', 'incident-commander'],
  addNote: ['responder', 'incident-commander', 'legal', 'communications', 'leadership'],
  waiveObligation: ['legal'],
  generateReports: ['responder', 'incident-commander', 'legal', 'communications', 'leadership', 'auditor'],
  close: ['incident-commander'],
};

export interface RosterMember {
  roles: Role[];
  /** The member's Ed25519 public key, 32 bytes in base64. */
  publicKey: string;
}

/** What the workflow enforces; loaded from the worker's configuration, never from a client. */
export interface AccessPolicy {
  roster: Record<string, RosterMember>;
  actionRoles: Record<ActionName, Role[]>;
  maxSignatureAgeSeconds: number;
  /** Short digest of the roster and mapping, written to the audit trail when the policy is loaded. */
  fingerprint: string;
}

export interface ActionSignature {
  /** When the actor signed; a signature older than the policy allows is refused (replay). */
  signedAt: string;
  /** Random; the client also uses it as the update id, so a resent action is one action. */
  nonce: string;
  /** Ed25519 signature of `signingMessage(...)`, base64. */
  value: string;
}

export interface SignedInput {
  actor: string;
  signature?: ActionSignature;
}

export class AccessRefused extends Error {
  constructor(
    message: string,
    readonly reason: 'unsigned' | 'unknown-actor' | 'bad-signature' | 'stale-signature' | 'role' | 'policy-loading',
  ) {
    super(message);
    this.name = 'AccessRefused';
  }
}

/** The exact bytes an actor signs: bound to one incident and one action, so a signature cannot be moved. */
export function signingMessage(incidentId: string, action: string, input: { actor: string }, signedAt: string, nonce: string): Uint8Array {
  const { signature: _ignored, ...unsigned } = input as SignedInput;
  return new TextEncoder().encode(['incident-action/v1', incidentId, action, signedAt, nonce, canonicalJson(unsigned)].join('\n'));
}

const SPKI_ED25519_PREFIX = '302a300506032b6570032100';

/**
 * Accepts the 32-byte raw key in base64 (what `incident keygen` prints) or a PEM "PUBLIC KEY" block, and
 * returns the raw key in base64; throws with a message naming what was wrong.
 */
export function normalisePublicKey(text: string): string {
  const trimmed = text.trim();
  const pem = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(trimmed);
  const bytes = base64Bytes(pem ? pem[1].replace(/\s+/g, '') : trimmed);
  if (bytes.length === 44 && hex(bytes.subarray(0, 12)) === SPKI_ED25519_PREFIX) return base64(bytes.subarray(12));
  if (bytes.length === 32) return base64(bytes);
  throw new Error('is not an Ed25519 public key: give the base64 key printed by `incident keygen` or a PEM "PUBLIC KEY" block');
}

/**
 * Decides whether `input` may perform `action` on the incident. Throws AccessRefused with a message for
 * the person; returns the member's roles when allowed. With no policy (no roster configured) every
 * action is allowed, as before access control existed.
 */
export function authorize<I extends { actor: string }>(policy: AccessPolicy | undefined, incidentId: string, action: string, request: I, now: Date, updateId?: string): Role[] | undefined {
  const input = request as I & SignedInput;
  if (!policy || Object.keys(policy.roster).length === 0) return undefined;
  const actor = typeof input?.actor === 'string' ? input.actor : '';
  const member = Object.prototype.hasOwnProperty.call(policy.roster, actor) ? policy.roster[actor] : undefined;
  if (!member) {
    throw new AccessRefused(`"${actor.slice(0, 80)}" is not in the roster of people who may act on incidents. Act as yourself (--as NAME) or ask an administrator to add you.`, 'unknown-actor');
  }
  const sig = input.signature;
  if (!sig || typeof sig !== 'object' || typeof sig.value !== 'string' || typeof sig.signedAt !== 'string' || typeof sig.nonce !== 'string') {
    throw new AccessRefused(`The action is not signed. Sign it with ${actor}'s key: set INCIDENT_SIGNING_KEY or --key (incident keygen makes one).`, 'unsigned');
  }
  const signedAtMs = Date.parse(sig.signedAt);
  const ageSeconds = (now.getTime() - signedAtMs) / 1000;
  if (Number.isNaN(signedAtMs) || Math.abs(ageSeconds) > policy.maxSignatureAgeSeconds) {
    throw new AccessRefused(`The signature was made at ${sig.signedAt.slice(0, 40)}, more than ${policy.maxSignatureAgeSeconds} s from now: sign the action again (check this computer's clock).`, 'stale-signature');
  }
  if (updateId !== undefined && sig.nonce !== updateId) {
    throw new AccessRefused('The signature belongs to another request (its nonce is not this update id); sign the action again.', 'bad-signature');
  }
  let valid = false;
  try {
    valid = ed25519.verify(base64Bytes(sig.value), signingMessage(incidentId, action, input, sig.signedAt, sig.nonce), base64Bytes(member.publicKey));
  } catch {
    valid = false;
  }
  if (!valid) throw new AccessRefused(`The signature does not match ${actor}'s key in the roster: the action was changed after signing, or signed with another key.`, 'bad-signature');
  const allowed = policy.actionRoles[action as ActionName] ?? [];
  if (!member.roles.some((r) => allowed.includes(r))) {
    const what = action.replace(/([A-Z])/g, ' $1').toLowerCase();
    throw new AccessRefused(`${actor} (${member.roles.join(', ')}) may not ${what}: it needs the role ${allowed.join(' or ') || '(none configured)'}.`, 'role');
  }
  return member.roles;
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
    if (e.action === 'access.policy-loaded') roster = (e.details.members as Record<string, RosterMember>) ?? {};
    const proof = e.details.signedRequest as { action?: string; signature?: ActionSignature; input?: SignedInput } | undefined;
    if (!proof) continue;
    verdict.signed++;
    const member = proof.input && Object.prototype.hasOwnProperty.call(roster, proof.input.actor) ? roster[proof.input.actor] : undefined;
    const sig = proof.signature;
    if (!member || !sig || !proof.input || !proof.action) {
      verdict.failures.push({ seq: e.seq, problem: `signed by "${proof.input?.actor ?? '?'}", who is not in the roster recorded before it` });
      continue;
    }
    let ok = false;
    try {
      ok = ed25519.verify(base64Bytes(sig.value), signingMessage(incidentId, proof.action, proof.input, sig.signedAt, sig.nonce), base64Bytes(member.publicKey));
    } catch {
      ok = false;
    }
    if (ok && proof.input.actor === e.actor) verdict.verified++;
    else verdict.failures.push({ seq: e.seq, problem: `the signature of ${proof.input.actor} does not match the recorded request` });
  }
  return verdict;
}

// Base64 without Buffer, which workflow code does not have.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function base64Bytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean)) throw new Error('not base64');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    buffer = ((buffer << 6) | ALPHABET.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}
function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
