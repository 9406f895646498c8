import type { KeyObject } from 'node:crypto';
import {
  checkpointMessage,
  checkpointSignatureValid,
  parseCheckpoint,
  parseTrailPublicKey,
  trailKeyFingerprint,
  trailKeyId,
  type SignedCheckpoint,
} from './audit-checkpoint';
import type { AuditEntry } from './audit-entry';
import { canonicalJson } from './canonical-json';
import { BUNDLE_FILES, hashInputsText, parseSha256Sums, rosterJson, type BundleContents } from './bundle-layout';
import type { TrailCheck, TrailCheckName } from './trail-verification';

// The checks that only a bundle has, beside those of the trail itself: its files against SHA256SUMS,
// the trail keys it carries, head.msg/head.sig (what a recipient checks with openssl), and the files
// derived from the trail (roster.json, trail-hash-inputs.txt).

const fail = (check: TrailCheckName, message: string): TrailCheck => ({ check, ok: false, message });

/** A few problems in one verdict line, the rest counted. */
export function summarise(problems: string[]): string {
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}

const textOf = (c: BundleContents, file: string) => c.files.get(file)?.bytes?.toString('utf8');

export function filesCheck(c: BundleContents): TrailCheck {
  const text = textOf(c, BUNDLE_FILES.sums);
  if (text === undefined)
    return fail('files', 'there is no SHA256SUMS, so nothing says which files the bundle was made with');
  const { sums, bad } = parseSha256Sums(text);
  if (bad !== undefined) return fail('files', `line ${bad} of SHA256SUMS is not "HASH  FILE"`);
  const problems: string[] = [];
  for (const [file, sha256] of sums) {
    const found = c.files.get(file);
    if (!found) problems.push(`${file} is listed in SHA256SUMS but missing`);
    else if (found.sha256 !== sha256) problems.push(`${file} does not match SHA256SUMS`);
  }
  for (const file of c.files.keys())
    if (file !== BUNDLE_FILES.sums && !sums.has(file)) problems.push(`${file} is not listed in SHA256SUMS`);
  for (const stray of c.strays) problems.push(`${stray} is not a plain file`);
  for (const file of c.twice ?? []) problems.push(`${file} is in the archive twice`);
  if (problems.length) return fail('files', summarise(problems));
  return {
    check: 'files',
    ok: true,
    message: `${sums.size} files match SHA256SUMS (which shows damage in transit, not a deliberate change)`,
  };
}

/** A trail key the bundle carries, as printed for the recipient to compare with the published fingerprint. */
export interface BundleKey {
  keyId: string;
  fingerprint: string;
  file: string;
}

/** The keys in keys/, each named by its own id; only those are trusted for the checkpoints. */
export function keysCheck(c: BundleContents): {
  check: TrailCheck;
  trusted: Map<string, KeyObject>;
  listed: BundleKey[];
} {
  const trusted = new Map<string, KeyObject>();
  const listed: BundleKey[] = [];
  const problems: string[] = [];
  for (const file of [...c.files.keys()].filter((f) => f.startsWith('keys/')).sort()) {
    const named = /^keys\/([0-9a-f]{16})\.pem$/.exec(file)?.[1];
    if (!named) {
      problems.push(`${file} is not named keys/KEYID.pem`);
      continue;
    }
    let key: KeyObject;
    try {
      key = parseTrailPublicKey(textOf(c, file) ?? '');
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    const keyId = trailKeyId(key);
    listed.push({ keyId, fingerprint: trailKeyFingerprint(key), file });
    if (keyId !== named) problems.push(`${file} holds key ${keyId}, not ${named}`);
    else trusted.set(keyId, key);
  }
  const ids = [...trusted.keys()];
  const check: TrailCheck = problems.length
    ? fail('keys', summarise(problems))
    : ids.length === 0
      ? fail('keys', 'keys/ holds no trail key, so no checkpoint can be checked')
      : {
          check: 'keys',
          ok: true,
          message: `${ids.length === 1 ? `trail key ${ids[0]}` : `trail keys ${ids.join(', ')}`}: trust ${ids.length === 1 ? 'it' : 'them'} only if the fingerprint printed above is the one published`,
        };
  return { check, trusted, listed };
}

function parseHeadJson(text: string | undefined): SignedCheckpoint | undefined {
  if (text === undefined) return undefined;
  try {
    return parseCheckpoint(JSON.stringify(JSON.parse(text)));
  } catch {
    return undefined;
  }
}

/** The incident the bundle is about, as its signed head names it (else its checkpoints, else its trail). */
export function bundleIncidentId(c: BundleContents): string {
  const fromHead = parseHeadJson(textOf(c, BUNDLE_FILES.head))?.incidentId;
  if (fromHead) return fromHead;
  for (const file of [BUNDLE_FILES.checkpoints, BUNDLE_FILES.trail]) {
    const first = textOf(c, file)?.split('\n')[0];
    try {
      const id = (JSON.parse(first ?? '') as { incidentId?: unknown }).incidentId;
      if (typeof id === 'string') return id;
    } catch {
      // not JSON: try the next file
    }
  }
  return 'an unknown incident';
}

/** head.msg and head.sig: the last checkpoint's exact signed bytes and signature, what openssl is given. */
export function headCheck(c: BundleContents, keys: ReadonlyMap<string, KeyObject>): TrailCheck {
  const names = [BUNDLE_FILES.headMessage, BUNDLE_FILES.headSignature, BUNDLE_FILES.head];
  const missing = names.filter((f) => !c.files.get(f)?.bytes);
  if (missing.length) return fail('head', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
  const [message, signature] = names.map((f) => c.files.get(f)!.bytes!);
  const head = parseHeadJson(textOf(c, BUNDLE_FILES.head));
  if (!head) return fail('head', 'head.json is not a checkpoint');
  if (!checkpointMessage(head).equals(message))
    return fail('head', 'head.msg is not the message head.json signs: one of them was changed');
  if (!Buffer.from(head.signature, 'base64').equals(signature))
    return fail('head', 'head.sig is not the signature head.json carries: one of them was changed');
  const key = keys.get(head.keyId);
  if (!key) return fail('head', `head.msg is signed by key ${head.keyId}, which keys/ does not hold`);
  if (!checkpointSignatureValid(head, key))
    return fail('head', `head.sig is not key ${head.keyId}'s signature of head.msg: openssl refuses it too`);
  const checkpoints = textOf(c, BUNDLE_FILES.checkpoints);
  if (checkpoints === undefined) return fail('head', 'there is no checkpoints.jsonl to compare head.json with');
  const lastLine = checkpoints
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1);
  const last = lastLine === undefined ? undefined : parseCheckpoint(lastLine);
  if (!last || canonicalJson(last) !== canonicalJson(head))
    return fail('head', 'head.json is not the last checkpoint of checkpoints.jsonl');
  return {
    check: 'head',
    ok: true,
    message: `head.msg and head.sig are the last checkpoint (seq ${head.seq}, hash ${head.hash.slice(0, 16)}…), signed by key ${head.keyId}`,
  };
}

/** roster.json and trail-hash-inputs.txt must be what the trail gives, or a recipient reading them is misled. */
export function derivedCheck(c: BundleContents, entries: readonly AuditEntry[]): TrailCheck {
  const problems: string[] = [];
  const roster = textOf(c, BUNDLE_FILES.roster);
  if (roster === undefined) problems.push('roster.json is missing');
  else if (roster !== rosterJson(entries)) problems.push('roster.json is not the rosters trail.jsonl records');
  const inputs = textOf(c, BUNDLE_FILES.hashInputs);
  if (inputs === undefined) problems.push('trail-hash-inputs.txt is missing');
  else {
    const expected = hashInputsText(entries).split('\n');
    const got = inputs.split('\n');
    const line = expected.findIndex((l, i) => got[i] !== l);
    if (line >= 0)
      problems.push(`line ${line + 1} of trail-hash-inputs.txt is not what entry ${line + 1} of trail.jsonl gives`);
    else if (got.length !== expected.length) problems.push('trail-hash-inputs.txt has lines after the last entry');
  }
  if (problems.length) return fail('derived', summarise(problems));
  return { check: 'derived', ok: true, message: 'roster.json and trail-hash-inputs.txt are what trail.jsonl gives' };
}
