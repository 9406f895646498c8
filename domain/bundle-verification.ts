import { readableEntries } from './audit-text';
import type { BundleKey } from './bundle-checks';
import { bundleIncidentId, derivedCheck, filesCheck, headCheck, keysCheck } from './bundle-checks';
import { evidenceCheck } from './bundle-evidence';
import { BUNDLE_FILES, type BundleContents } from './bundle-layout';
import type { TrailHead } from './trail-head';
import { signaturesCheck } from './trail-signatures';
import { verdictOk, verifyTrail, type TrailCheck } from './trail-verification';

// A case bundle verified with nothing but itself: the trail checks of `incident audit --verify` (chain,
// signed checkpoints, heads from mails) against the keys the bundle carries, plus the bundle's own
// checks. Trusting the bundle's keys is only worth the recipient's comparison of their fingerprints with
// the one the organisation published; the verdict prints them for that.

export type { BundleKey };

export interface BundleVerdict {
  ok: boolean;
  incidentId: string;
  entries: number;
  head?: { seq: number; hash: string };
  keys: BundleKey[];
  checks: TrailCheck[];
  /** The checkpoints that verified. */
  checkpoints: number;
}

export function verifyBundle(c: BundleContents, witnesses: TrailHead[] = []): BundleVerdict {
  const trailText = c.files.get(BUNDLE_FILES.trail)?.bytes?.toString('utf8');
  const incidentId = bundleIncidentId(c);
  const keys = keysCheck(c);
  const trail = verifyTrail({
    incidentId,
    trailText: trailText ?? '',
    checkpointsText: c.files.get(BUNDLE_FILES.checkpoints)?.bytes?.toString('utf8'),
    keys: keys.trusted,
    witnesses,
  });
  const entries = readableEntries(trailText ?? '');
  const [chain, checkpoints, ...heads] = trail.checks;
  // The bundle trusts only its own keys/: the live check's advice (configure the key) is no remedy here.
  checkpoints.message = checkpoints.message.replace(
    '(list it in trail.publicKeys if it is yours)',
    "(the bundle's keys/ holds no key with that id)",
  );
  if (trailText === undefined) Object.assign(chain, { ok: false, message: 'there is no trail.jsonl' });
  const signatures = chain.ok ? signaturesCheck(entries, incidentId).check : undefined;
  const covered = Math.max(0, ...trail.checkpoints.map((cp) => cp.seq));
  const checks: TrailCheck[] = [
    filesCheck(c),
    keys.check,
    chain,
    checkpoints,
    headCheck(c, keys.trusted),
    ...(signatures ? [signatures] : []),
    ...heads,
    evidenceCheck(c, entries, chain.ok ? covered : 0),
    derivedCheck(c, entries),
  ];
  return {
    ok: verdictOk(checks),
    incidentId,
    entries: trail.entries,
    ...(trail.head ? { head: trail.head } : {}),
    keys: keys.listed,
    checks,
    checkpoints: trail.checkpoints.length,
  };
}
