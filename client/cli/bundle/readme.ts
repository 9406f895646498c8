import { shellSteps, type ShellStepFacts } from './shell-steps';

// README.txt of a case bundle: for a recipient who has the bundle and nothing else (a regulator, a court
// expert, an insurer). What each file is, the check with `incident verify-bundle`, the same check with a
// shell alone, and what each check proves and does not prove.

export interface ReadmeFacts extends ShellStepFacts {
  entries: number;
  head: { seq: number; hash: string; at: string };
  keys: { keyId: string; fingerprint: string }[];
  reports: string[];
  withEvidence: boolean;
}

const FILES = `trail.jsonl            The audit trail, byte for byte as the system kept it: one JSON entry per
                       line, each holding the hash of the entry before it (prevHash) and its own
                       (hash), so that changing, removing or reordering any entry breaks the chain.
checkpoints.jsonl      The signed checkpoints, byte for byte: after each append the system's worker
                       signed "entry SEQ of this incident has hash HASH" with its trail key (Ed25519).
keys/KEYID.pem         The public trail key(s) that signed them. KEYID is the first 16 hex digits of
                       the key's fingerprint, the SHA-256 of its raw 32-byte public key.
head.msg               The exact bytes that the last checkpoint's signature covers.
head.sig               That signature, 64 raw bytes.
head.json              The last checkpoint as JSON (the last line of checkpoints.jsonl).
trail-hash-inputs.txt  One line per entry: exactly the text whose SHA-256 is that entry's hash (the
                       previous entry's hash, 64 hex digits, then the entry as canonical JSON).
roster.json            The rosters of the people allowed to act, with their public keys, as the trail
                       recorded them; signed actions are checked against the one before them.
evidence/SYSTEM/round-N/
  evidence.json        The store's record of a forensic copy: source, SHA-256, size, times.
  MANIFEST.sha256      For a directory copy, "sha256  size  path" per file; the trail records the
                       SHA-256 of this manifest (for a disk or file image, that of the image).
  image.bin, tree/     The copy itself as the original bytes, only in a bundle made --with-evidence.
reports/               The reports the system rendered (root-cause analysis, reason for outage,
                       regulator dossier), in Markdown and HTML.
SHA256SUMS             The SHA-256 of every other file.
README.txt             This file.`;

const PROOFS = `- SHA256SUMS shows that no file was damaged on the way. Anyone can recompute it, so it says nothing
  about a deliberate change.
- The trail key's fingerprint is the one thing you take on trust. Compare it with the one the
  organisation published through another channel. If it differs, the bundle proves nothing: whoever
  made it could have signed it with a key of their own.
- The signature of head.msg proves that the holder of the trail key vouched for the head: entry SEQ
  has hash HASH. Through the chain (the recomputed hashes and links), that covers every entry before
  it: none can be changed, removed, reordered or moved in from another incident without changing the
  head's hash. What you read in trail-hash-inputs.txt (each line after its first 64 characters) is
  what was signed.
- It does NOT prove that the trail was complete when the bundle was made. Someone able to write the
  system's data could cut the trail and its checkpoints at the same earlier point, and what is left
  still verifies. A head you hold from elsewhere catches that: the leadership mails and the reports
  end with "audit seq N, head HASH…"; check it with --head N:HASH, or with the head step below.
- Nor that the trail key was never misused: whoever holds it could sign a rewritten trail. The system
  also records each head in Temporal's history, apart from the worker's data; "incident audit ID
  --verify", run at the organisation, compares the trail with it. Ask for that verdict if in doubt.
- Times: an entry's "at" and a checkpoint's "at" are the worker's clock; a checkpoint's "temporalAt"
  is the Temporal server's clock for the same append. They agree unless a clock was wrong.
- Evidence: each manifest (and each image or file, when included) has the SHA-256 that the trail
  recorded when the copy was taken, in an entry the signature covers. That shows the copy was not
  changed since; not that it is everything there was on the system.
- Responders' signatures: each signed action's entry carries the request and its Ed25519 signature;
  incident verify-bundle re-checks them against the roster the trail recorded (roster.json). The
  shell procedure does not.
- roster.json, trail-hash-inputs.txt and head.json are derived from trail.jsonl and
  checkpoints.jsonl for convenience; incident verify-bundle checks that they agree.
- The reports are renderings of the incident at the time; nothing signs them. Where they differ
  from the trail, the trail is the record.`;

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

export function bundleReadme(f: ReadmeFacts): string {
  const steps = shellSteps(f)
    .map((s, i) => `${i + 1}. ${s.title}:\n\n${indent(s.commands.join('\n'), '     ')}\n\n   You see: ${s.expect}.`)
    .join('\n\n');
  const copies = f.copies.length
    ? f.copies
        .map(
          (c) =>
            `  ${c.system} round ${c.round}: ${c.kind === 'directory' ? 'directory copy' : 'image'}, SHA-256 ${c.sha256} (entry ${c.seq})${c.included ? ', included' : ''}`,
        )
        .join('\n')
    : '  (none)';
  const keys = f.keys.map((k) => `  ${k.keyId}  fingerprint ${k.fingerprint}`).join('\n');
  return `Case bundle of incident ${f.incidentId}
${'='.repeat(`Case bundle of incident ${f.incidentId}`.length)}

The audit trail of incident ${f.incidentId} as the incident response system kept it, with what is
needed to check it offline, without that system: its signed checkpoints, the public trail key(s) that
signed them, the evidence manifests and the reports.

The trail has ${f.entries} entries. Its last, seq ${f.head.seq}, has hash
  ${f.head.hash}
signed at ${f.head.at} (the worker's clock) by trail key
${keys}

Forensic copies the trail records:
${copies}
${f.withEvidence ? 'The copies themselves are included, as the original bytes.' : 'The copies themselves are not included (the bundle was made without --with-evidence).'}
Reports: ${f.reports.length ? f.reports.join(', ') : '(none rendered)'}

FILES
-----
${FILES}

CHECKING IT WITH THE INCIDENT TOOL
----------------------------------
     incident verify-bundle case.tar           (or the folder it was extracted to)
     incident verify-bundle case.tar --head 37:4ebaf5b6c1d2e3f4

It needs no server and no configuration, trusts only the keys in keys/, prints their fingerprints,
and prints one verdict line per check; it exits 1 if any fails.

CHECKING IT WITH A SHELL ONLY (sha256sum, openssl 3, awk, cut, sed, diff)
-------------------------------------------------------------------------
Extract the archive (tar -xf case.tar) and cd into its ${f.incidentId} folder, then:

${steps}

WHAT THE CHECKS PROVE, AND WHAT THEY DO NOT
-------------------------------------------
${PROOFS}
`;
}
