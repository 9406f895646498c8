import { createHash } from 'node:crypto';
import { EVIDENCE_ACTION, ROSTER_ACTION } from './audit-actions';
import { entryHashInput, type AuditEntry } from './audit-chain';

// A case bundle's fixed layout, and the files in it that are derived from the trail, so that the
// writer and the verifier compute them the same way. README.txt in every bundle describes it for the
// recipient; the README's "Case bundle" section for the project.

export const BUNDLE_FILES = {
  trail: 'trail.jsonl',
  checkpoints: 'checkpoints.jsonl',
  roster: 'roster.json',
  hashInputs: 'trail-hash-inputs.txt',
  headMessage: 'head.msg',
  headSignature: 'head.sig',
  head: 'head.json',
  sums: 'SHA256SUMS',
  readme: 'README.txt',
} as const;

export const keyPath = (keyId: string) => `keys/${keyId}.pem`;
export const evidenceFolder = (system: string, round: number) => `evidence/${system}/round-${round}`;

/** An evidence copy's own bytes (an image, a directory copy's files): hashed when a bundle is read, not kept in memory. */
export function isEvidencePayload(file: string): boolean {
  return /^evidence\/[^/]+\/round-\d+\/(image\.bin$|tree\/)/.test(file);
}

export const sha256Hex = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Per entry one line: exactly the text whose SHA-256 is that entry's hash (see entryHashInput). */
export function hashInputsText(entries: readonly AuditEntry[]): string {
  return entries.map((e) => entryHashInput(e.prevHash, e) + '\n').join('');
}

/** A roster as the trail recorded it: loaded (its members and their keys) or removed. */
export interface RecordedRoster {
  seq: number;
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

/** roster.json: every roster the trail recorded, in trail order (signed actions are verified against the one before them). */
export function rosterJson(entries: readonly AuditEntry[]): string {
  const rosters: RecordedRoster[] = entries
    .filter((e) => e.action === ROSTER_ACTION || e.action === 'access.policy-removed')
    .map(({ seq, at, actor, action, details }) => ({ seq, at, actor, action, details }));
  return JSON.stringify({ incidentId: entries[0]?.incidentId, rosters }, null, 2) + '\n';
}

/** A stored forensic copy as its `evidence.collected` entry records it. */
export interface RecordedCopy {
  seq: number;
  system: string;
  round: number;
  /** A file image (its SHA-256 is the image's) or a directory copy (the SHA-256 of its MANIFEST.sha256). */
  kind: 'image' | 'directory';
  sha256: string;
}

export function recordedCopies(entries: readonly AuditEntry[]): RecordedCopy[] {
  const copies: RecordedCopy[] = [];
  for (const e of entries) {
    if (e.action !== EVIDENCE_ACTION) continue;
    const d = e.details as { system?: unknown; location?: unknown; sha256?: unknown };
    if (typeof d.system !== 'string' || typeof d.location !== 'string' || typeof d.sha256 !== 'string') continue;
    const m = /[\\/]round-(\d+)[\\/]([^\\/]+)$/.exec(d.location);
    if (!m) continue;
    copies.push({
      seq: e.seq,
      system: d.system,
      round: Number(m[1]),
      kind: m[2] === 'tree' ? 'directory' : 'image',
      sha256: d.sha256,
    });
  }
  return copies;
}

/** SHA256SUMS as `sha256sum -c` reads it: one `HASH  PATH` line per file, sorted by path. */
export function sha256SumsText(files: ReadonlyMap<string, { sha256: string }>): string {
  return [...files.keys()]
    .sort()
    .map((f) => `${files.get(f)!.sha256}  ${f}\n`)
    .join('');
}

/** The lines of SHA256SUMS; `bad` is the first line that is not `HASH  PATH` (1-based). */
export function parseSha256Sums(text: string): { sums: Map<string, string>; bad?: number } {
  const sums = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '' && i === lines.length - 1) break;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(lines[i]);
    if (!m) return { sums, bad: i + 1 };
    sums.set(m[2], m[1]);
  }
  return { sums };
}

/** A directory copy's MANIFEST.sha256: `sha256  size  path` per file. */
export function parseManifest(text: string): { path: string; sha256: string }[] | undefined {
  const out: { path: string; sha256: string }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) {2}\d+ {2}(.+)$/.exec(line);
    if (!m || m[2].split('/').some((part) => part === '..' || part === '' || part === '.')) return undefined;
    out.push({ path: m[2], sha256: m[1] });
  }
  return out;
}

/** One file of a bundle as read: its hash, and its bytes unless it is an evidence payload. */
export interface BundleFile {
  sha256: string;
  size: number;
  bytes?: Buffer;
}

/** What a bundle holds, by path inside it ('/'-separated), whether read from a tar or a directory. */
export interface BundleContents {
  files: ReadonlyMap<string, BundleFile>;
  /** Entries that are not plain files (links, devices): a bundle holds none, so each is named. */
  strays: string[];
  /** Paths an archive holds more than once: what a reader sees depends on which copy it keeps. */
  twice?: string[];
}
