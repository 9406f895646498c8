// Who may do what: the roles, the actions, the default mapping between them, the roster's shape and the
// exact message an actor signs. Kept apart from the signature checks (access.ts) so that reading the
// configuration or signing in the CLI does not load the Ed25519 implementation.

import { canonicalJson } from './canonical-json';

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
  'recordClockEvent',
  'recordClockFacts',
  'recordSubmission',
  'correctAwareness',
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
  // The events that start legal clocks are decisions with legal weight, like the assessment.
  recordClockEvent: ['incident-commander', 'legal'],
  recordClockFacts: ['incident-commander', 'legal'],
  recordSubmission: ['legal'],
  correctAwareness: ['incident-commander', 'legal'],
};

export interface RosterMember {
  roles: Role[];
  /** The member's Ed25519 public key, 32 bytes in base64. */
  publicKey: string;
}

/** What the workflow enforces; loaded from the worker's configuration, never from a client. */
/** What a mail link is checked with: the link keys' public halves, and the addresses a link may act for (lower case). */
export interface LinkTrust {
  publicKeys: string[];
  recipients: string[];
}

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

/** The exact bytes an actor signs: bound to one incident and one action, so a signature cannot be moved. */
export function signingMessage(
  incidentId: string,
  action: string,
  input: { actor: string },
  signedAt: string,
  nonce: string,
): Uint8Array {
  const { signature: _ignored, ...unsigned } = input as SignedInput;
  return new TextEncoder().encode(
    ['incident-action/v1', incidentId, action, signedAt, nonce, canonicalJson(unsigned)].join('\n'),
  );
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
  throw new Error(
    'is not an Ed25519 public key: give the base64 key printed by `incident keygen` or a PEM "PUBLIC KEY" block',
  );
}

// Base64 without Buffer, which workflow code does not have.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function base64Bytes(text: string): Uint8Array {
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
export function base64(bytes: Uint8Array): string {
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
