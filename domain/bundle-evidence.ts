import type { AuditEntry } from './audit-entry';
import { summarise } from './bundle-checks';
import { evidenceFolder, parseManifest, recordedCopies, type BundleContents, type RecordedCopy } from './bundle-layout';
import type { TrailCheck } from './trail-verification';

// The evidence in a bundle against the SHA-256 each `evidence.collected` entry records: a directory
// copy's MANIFEST.sha256 (whose hash the trail records) and its files when present, a file image when
// present. A recorded hash is worth only what proves the entry holding it: it counts only when the chain
// holds and a valid checkpoint covers that entry, otherwise a rewritten trail would vouch for a
// substituted copy.

const short = (hash: string) => `${hash.slice(0, 16)}…`;

function checkCopy(c: BundleContents, copy: RecordedCopy): { problems: string[]; what: string } {
  const folder = evidenceFolder(copy.system, copy.round);
  const label = `${copy.system} round ${copy.round}`;
  const problems: string[] = [];
  const at = `the trail records ${short(copy.sha256)} at seq ${copy.seq}`;
  const record = c.files.get(`${folder}/evidence.json`)?.bytes;
  if (!record) problems.push(`${label}: ${folder}/evidence.json is missing`);
  else {
    let recorded: unknown;
    try {
      recorded = (JSON.parse(record.toString('utf8')) as { sha256?: unknown }).sha256;
    } catch {
      recorded = undefined;
    }
    if (recorded !== copy.sha256)
      problems.push(`${label}: evidence.json records SHA-256 ${String(recorded).slice(0, 16)}…, ${at}`);
  }
  if (copy.kind === 'image') {
    const image = c.files.get(`${folder}/image.bin`);
    if (image && image.sha256 !== copy.sha256)
      problems.push(
        `${label}: image.bin gives SHA-256 ${short(image.sha256)}, ${at}: the copy was substituted or damaged`,
      );
    return { problems, what: image ? 'image' : 'image not included' };
  }
  const manifest = c.files.get(`${folder}/MANIFEST.sha256`);
  if (!manifest?.bytes) return { problems: [...problems, `${label}: ${folder}/MANIFEST.sha256 is missing`], what: '' };
  if (manifest.sha256 !== copy.sha256)
    problems.push(`${label}: MANIFEST.sha256 gives SHA-256 ${short(manifest.sha256)}, ${at}: the manifest was changed`);
  const tree = [...c.files.keys()].filter((f) => f.startsWith(`${folder}/tree/`));
  if (tree.length === 0) return { problems, what: 'manifest' };
  const listed = parseManifest(manifest.bytes.toString('utf8'));
  if (!listed)
    return { problems: [...problems, `${label}: MANIFEST.sha256 is not "sha256  size  path" lines`], what: '' };
  for (const entry of listed) {
    const file = c.files.get(`${folder}/tree/${entry.path}`);
    if (!file) problems.push(`${label}: tree/${entry.path} is missing`);
    else if (file.sha256 !== entry.sha256)
      problems.push(`${label}: tree/${entry.path} does not match MANIFEST.sha256: the copy was substituted or damaged`);
  }
  const names = new Set(listed.map((e) => `${folder}/tree/${e.path}`));
  for (const file of tree) if (!names.has(file)) problems.push(`${label}: ${file} is not in MANIFEST.sha256`);
  return { problems, what: `${listed.length} file${listed.length === 1 ? '' : 's'}` };
}

/** `trustedUpTo`: the last seq that the chain and a valid checkpoint prove (0: none). */
export function evidenceCheck(c: BundleContents, entries: readonly AuditEntry[], trustedUpTo: number): TrailCheck {
  const copies = recordedCopies(entries);
  const problems: string[] = [];
  const matched: string[] = [];
  for (const copy of copies) {
    const { problems: found, what } = checkCopy(c, copy);
    if (found.length) problems.push(...found);
    else if (copy.seq > trustedUpTo)
      problems.push(
        `${copy.system} round ${copy.round} matches the SHA-256 recorded at seq ${copy.seq}, but no valid checkpoint covers that entry, so that hash proves nothing`,
      );
    else matched.push(`${copy.system} round ${copy.round} (${what})`);
  }
  const recorded = new Set(copies.map((copy) => evidenceFolder(copy.system, copy.round)));
  const folders = new Set(
    [...c.files.keys()].map((f) => /^evidence\/[^/]+\/[^/]+/.exec(f)?.[0]).filter((f) => f !== undefined),
  );
  for (const folder of [...folders].sort())
    if (!recorded.has(folder)) problems.push(`${folder} is not a copy the trail records`);
  if (problems.length) return { check: 'evidence', ok: false, message: summarise(problems) };
  return {
    check: 'evidence',
    ok: true,
    message:
      copies.length === 0
        ? 'the trail records no stored evidence copy'
        : `${copies.length === 1 ? '1 copy matches' : `${copies.length} copies match`} the SHA-256 the trail records: ${matched.join(', ')}`,
  };
}
