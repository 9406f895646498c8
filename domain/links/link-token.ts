import { ed25519 } from '@noble/curves/ed25519';
import { base64, base64Bytes } from '../access-policy';

// The signed links in leadership mail. A link names one action, one incident (none for the board) and one
// recipient, and expires. It is signed with the worker's link key (Ed25519), apart from payload, trail and
// responders' keys, so that the board and the workflow (which verifies an acknowledgement made through a
// link where the roster requires signed actions) check it with the public key alone. Pure: no clock
// reads, no Buffer (workflow code uses it too).

export const LINK_ACTIONS = ['acknowledge', 'open-incident', 'open-board'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface LinkClaims {
  v: 1;
  /** Random, unique per link: named in the audit trail when the link is used; never the token itself. */
  id: string;
  action: LinkAction;
  /** The incident the link is about; empty for the board. */
  incidentId: string;
  /** The one address the link was mailed to, lower case. */
  recipient: string;
  issuedAt: string;
  expiresAt: string;
}

export type LinkRefusalReason =
  'malformed' | 'bad-signature' | 'expired' | 'not-yet-valid' | 'wrong-action' | 'wrong-incident' | 'wrong-recipient';

/** Why a link is refused, in words for the person who clicked it; it never repeats the token. */
export class LinkRefused extends Error {
  constructor(
    readonly reason: LinkRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'LinkRefused';
  }
}

const CONTEXT = 'incident-link/v1\n';
/** Links are made by this system's clock and checked by another machine's: a little skew is not forgery. */
const ISSUE_SKEW_MS = 5 * 60_000;
const MAX_TOKEN_LENGTH = 2048;
const ASK_AGAIN = 'Use the link in the latest mail about it, or ask the incident commander to resend it.';

function toBase64Url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
  return base64Bytes(text.replace(/-/g, '+').replace(/_/g, '/'));
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The exact bytes signed: a domain prefix, so a link signature can never pass for another kind. */
function signedBytes(payload: string): Uint8Array {
  return utf8(CONTEXT + payload);
}

/** Canonical order of the claims, so that the same link always has the same token. */
function claimsJson(c: LinkClaims): string {
  return JSON.stringify({
    v: c.v,
    id: c.id,
    action: c.action,
    incidentId: c.incidentId,
    recipient: c.recipient,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
  });
}

export function normaliseRecipient(address: string): string {
  return address.trim().toLowerCase();
}

/** `sign` holds the private key; this module never sees it. */
export function signLinkToken(claims: LinkClaims, sign: (message: Uint8Array) => Uint8Array): string {
  const payload = toBase64Url(utf8(claimsJson({ ...claims, recipient: normaliseRecipient(claims.recipient) })));
  return `${payload}.${toBase64Url(sign(signedBytes(payload)))}`;
}

function parseClaims(payload: string): LinkClaims {
  const raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(payload))) as unknown;
  const c = raw as Partial<LinkClaims>;
  const isText = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
  if (
    typeof raw !== 'object' ||
    raw === null ||
    c.v !== 1 ||
    !isText(c.id, 64) ||
    !LINK_ACTIONS.includes(c.action as LinkAction) ||
    !isText(c.incidentId, 200) ||
    !isText(c.recipient, 320) ||
    !isText(c.issuedAt, 40) ||
    !isText(c.expiresAt, 40) ||
    Number.isNaN(Date.parse(c.issuedAt as string)) ||
    Number.isNaN(Date.parse(c.expiresAt as string))
  )
    throw new Error('claims');
  return c as LinkClaims;
}

/** The link's id, read without checking the signature: for the record of a link the validator checked. */
export function linkIdOf(token: string): string | undefined {
  try {
    return parseClaims(token.split('.')[0]).id;
  } catch {
    return undefined;
  }
}

export interface LinkExpectation {
  action?: LinkAction;
  incidentId?: string;
  recipient?: string;
}

/**
 * The claims of a genuine, current link; throws LinkRefused naming what is wrong. `publicKeys` are raw
 * Ed25519 keys in base64: the link key of this installation and those kept after a rotation.
 */
export function verifyLinkToken(
  token: string,
  publicKeys: readonly string[],
  now: Date,
  expect: LinkExpectation = {},
): LinkClaims {
  const malformed = () =>
    new LinkRefused('malformed', `This link is incomplete or damaged (it may have been cut in two). ${ASK_AGAIN}`);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw malformed();
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw malformed();
  let claims: LinkClaims;
  let signatureBytes: Uint8Array;
  try {
    claims = parseClaims(payload);
    signatureBytes = fromBase64Url(signature);
  } catch {
    throw malformed();
  }
  const message = signedBytes(payload);
  const genuine = publicKeys.some((key) => {
    try {
      return ed25519.verify(signatureBytes, message, base64Bytes(key));
    } catch {
      return false;
    }
  });
  if (!genuine)
    throw new LinkRefused(
      'bad-signature',
      `This link was not made by this system, or it was changed after it was sent. ${ASK_AGAIN}`,
    );
  if (Date.parse(claims.issuedAt) - now.getTime() > ISSUE_SKEW_MS)
    throw new LinkRefused('not-yet-valid', `This link claims to be made in the future. ${ASK_AGAIN}`);
  if (now.getTime() >= Date.parse(claims.expiresAt))
    throw new LinkRefused('expired', `This link expired at ${claims.expiresAt}. ${ASK_AGAIN}`);
  if (expect.action && claims.action !== expect.action)
    throw new LinkRefused('wrong-action', `This link is for another action (${claims.action}).`);
  if (expect.incidentId !== undefined && claims.incidentId !== expect.incidentId)
    throw new LinkRefused('wrong-incident', `This link is for another incident (${claims.incidentId || 'the board'}).`);
  if (expect.recipient !== undefined && claims.recipient !== normaliseRecipient(expect.recipient))
    throw new LinkRefused(
      'wrong-recipient',
      'This link was sent to someone else: it works only for the person it was mailed to.',
    );
  return claims;
}
