import type { RecordedCopy } from '../../../domain/bundle-layout';

// The check a recipient runs with only a POSIX shell, sha256sum, openssl 3, awk, cut, sed and diff,
// written out with this bundle's own names so that it can be pasted as it is. Each step prints one line
// saying what passed, and nothing of it when it fails. README.txt shows these commands, and a test runs
// them as they are on a real bundle and on tampered ones.

export interface ShellStep {
  title: string;
  commands: string[];
  /** What the recipient sees when the step passes. */
  expect: string;
}

export interface ShellStepFacts {
  incidentId: string;
  /** The key that signed the last checkpoint. */
  keyId: string;
  copies: (RecordedCopy & { included: boolean })[];
}

const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function evidenceCommands(copies: ShellStepFacts['copies']): string[] {
  const recorded = (seq: number) =>
    `"$(sed -n ${seq}p trail-hash-inputs.txt | grep -o '"sha256":"[0-9a-f]*"' | cut -d'"' -f4)"`;
  const lines: string[] = [];
  for (const c of copies) {
    const dir = `evidence/${c.system}/round-${c.round}`;
    const label = `${c.system} round ${c.round}`;
    const hashed = c.kind === 'directory' ? `${dir}/MANIFEST.sha256` : `${dir}/image.bin`;
    if (c.kind === 'directory' || c.included)
      lines.push(
        `[ ${recorded(c.seq)} = "$(sha256sum < ${hashed} | cut -c1-64)" ] && echo ${q(`${label}: ${c.kind === 'directory' ? 'MANIFEST.sha256' : 'image.bin'} has the SHA-256 entry ${c.seq} records`)}`,
      );
    if (c.kind === 'directory' && c.included)
      lines.push(
        `(cd ${dir}/tree && awk '{ h = $1; sub(/^[0-9a-f]+  [0-9]+  /, ""); print h "  " $0 }' ../MANIFEST.sha256 | sha256sum -c --quiet) && echo ${q(`${label}: every file in tree/ matches MANIFEST.sha256`)}`,
      );
  }
  return lines;
}

export function shellSteps(f: ShellStepFacts): ShellStep[] {
  const steps: ShellStep[] = [
    {
      title: 'No file was damaged in transit',
      commands: ['sha256sum -c SHA256SUMS'],
      expect: 'every line ends in ": OK"',
    },
    {
      title: "The trail key is your organisation's",
      commands: [
        `for k in keys/*.pem; do printf '%s  %s\\n' "$k" "$(openssl pkey -pubin -in "$k" -outform DER | tail -c 32 | sha256sum | cut -c1-64)"; done`,
      ],
      expect:
        'each key file and its fingerprint: compare the fingerprint with the one your organisation published (on its site, in its procedure, or read out on the phone)',
    },
    {
      title: 'The last checkpoint was signed with that key',
      commands: [`openssl pkeyutl -verify -pubin -inkey keys/${f.keyId}.pem -rawin -in head.msg -sigfile head.sig`],
      expect: '"Signature Verified Successfully"; head.msg names the entry it vouches for (cat head.msg)',
    },
    {
      title: 'Every entry has the hash trail.jsonl records (working files go to a scratch folder, $W)',
      commands: [
        'W=$(mktemp -d)',
        `while IFS= read -r l; do printf '%s' "$l" | sha256sum | cut -c1-64; done < trail-hash-inputs.txt > "$W/computed.txt"`,
        `awk -F'"hash":"' '{ print substr($NF, 1, 64) }' trail.jsonl | diff - "$W/computed.txt" && echo 'every hash in trail.jsonl is recomputed'`,
      ],
      expect: '"every hash in trail.jsonl is recomputed" (a long trail takes a few minutes)',
    },
    {
      title: 'Every entry links to the one before it',
      commands: [
        `cut -c1-64 trail-hash-inputs.txt > "$W/links.txt"`,
        `{ printf '%064d\\n' 0; sed '$d' "$W/computed.txt"; } | diff - "$W/links.txt" && echo 'every entry links to the one before it'`,
      ],
      expect: '"every entry links to the one before it"',
    },
    {
      title: 'The chain ends at the signed head',
      commands: [
        `[ "$(tail -n 1 "$W/computed.txt")" = "$(grep -o '"hash":"[0-9a-f]*"' head.msg | cut -d'"' -f4)" ] && [ "$(wc -l < "$W/computed.txt")" -eq "$(grep -o '"seq":[0-9]*' head.msg | cut -d: -f2)" ] && echo 'the last entry is the signed head'`,
      ],
      expect: '"the last entry is the signed head"',
    },
    {
      title: `Every line is the next entry of ${f.incidentId}`,
      commands: [
        `awk -v id=${q(f.incidentId)} '{ w = "\\"incidentId\\":\\"" id "\\",\\"seq\\":" NR "}"; if (substr($0, length($0) - length(w) + 1) != w) { print "line " NR " is not entry " NR " of " id; bad = 1 } } END { if (!bad) print "every line is the next entry of " id }' trail-hash-inputs.txt`,
      ],
      expect: `"every line is the next entry of ${f.incidentId}"`,
    },
    {
      title: 'A head you hold from a mail or a report ("audit seq 37, head 4ebaf5b6…")',
      commands: ['sed -n 37p "$W/computed.txt"'],
      expect: 'the hash of that entry: it starts with the digits in the mail (put its seq in place of 37)',
    },
  ];
  const evidence = evidenceCommands(f.copies);
  if (evidence.length)
    steps.push({
      title: 'The evidence has the SHA-256 the trail recorded when it was copied',
      commands: evidence,
      expect: 'one line per check',
    });
  return steps;
}
