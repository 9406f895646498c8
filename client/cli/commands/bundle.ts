import type { Command } from 'commander';
import { singleLine } from '../../../domain/escape';
import { formatHead } from '../../../domain/trail-head';
import { printJson, withExample, type CliContext } from '../command-context';
import { EXIT } from '../exit-codes';
import { paint } from '../output';
import { printTrailChecks, witnessHeads } from './audit';

// `incident bundle` writes one incident's record for someone outside (a regulator, a court expert), and
// `incident verify-bundle` checks one with nothing else: no Temporal, no configuration, no data dir.
// Their code is loaded only when they run (tar, the Ed25519 verifier).

export function addBundleCommands(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('bundle')
      .argument('<id>', 'incident id')
      .description(
        'Write a case bundle for a recipient: the trail, its checkpoints and keys, the roster, the evidence manifests, the reports and a README to check it offline',
      )
      .requiredOption(
        '--out <path>',
        'a .tar file to write, or a folder (new, empty, or an earlier bundle with --force)',
      )
      .option('--with-evidence', 'include the forensic copies themselves, as the original bytes (decrypted)')
      .option('--force', 'replace an existing bundle at --out')
      .option('--json', 'print the result as JSON'),
    'incident bundle INC-1 --out /mnt/case/INC-1.tar',
  ).action(async (id: string, opts) => {
    const { writeBundle } = require('../bundle/write') as typeof import('../bundle/write');
    const result = await writeBundle({
      config: ctx.config(),
      incidentId: id,
      out: String(opts.out),
      withEvidence: Boolean(opts.withEvidence),
      force: Boolean(opts.force),
      env: ctx.env,
    });
    if (opts.json) return printJson(ctx, result);
    ctx.out.line(
      `Wrote the case bundle of ${id} to ${result.out}: ${result.entries} entries, ${formatHead(result.head)}, ${result.files} files.`,
    );
    for (const k of result.keys)
      ctx.out.line(
        `Trail key ${k.keyId}, fingerprint ${k.fingerprint}: the recipient compares it with the one you publish.`,
      );
    ctx.out.line(`Check it with: incident verify-bundle ${result.out}`);
  });

  withExample(
    program
      .command('verify-bundle')
      .argument('<bundle>', 'a case bundle: the .tar file, or the folder it was extracted to')
      .description(
        'Check a case bundle offline (no Temporal, no configuration): files, chain, signed checkpoints, head, evidence; one verdict line each',
      )
      .option(
        '--head <seq:hash>',
        'also check a head held from a mail or a report (e.g. 37:4ebaf5b6…); repeatable',
        (v: string, all: string[]) => [...all, v],
        [] as string[],
      )
      .option('--json', 'print JSON'),
    'incident verify-bundle case.tar --head 37:4ebaf5b6c1d2e3f4',
  ).action(async (where: string, opts) => {
    const witnesses = witnessHeads(opts.head as string[]);
    const { readBundle } = require('../bundle/read') as typeof import('../bundle/read');
    const { verifyBundle } =
      require('../../../domain/bundle-verification') as typeof import('../../../domain/bundle-verification');
    const verdict = verifyBundle(await readBundle(where), witnesses);
    if (!verdict.ok) process.exitCode = EXIT.refused;
    if (opts.json) return printJson(ctx, verdict);
    const out = ctx.out;
    const id = singleLine(verdict.incidentId);
    const head = verdict.head ? `, head ${verdict.head.hash.slice(0, 16)}… at seq ${verdict.head.seq}` : '';
    out.line(`Case bundle of ${id}: ${verdict.entries} entries${head} (${singleLine(where)})`);
    for (const k of verdict.keys)
      out.line(`Trail key ${k.keyId} in ${singleLine(k.file)}, fingerprint ${k.fingerprint}`);
    printTrailChecks(
      out,
      verdict.checks.map((c) => ({ ...c, message: singleLine(c.message) })),
    );
    const failed = verdict.checks.find((c) => !c.ok && !c.skipped);
    out.line(
      failed
        ? paint(out, 'red', `The case bundle of ${id} does NOT verify: ${failed.check}: ${singleLine(failed.message)}.`)
        : paint(
            out,
            'green',
            `The case bundle of ${id} verifies, if ${verdict.keys.length === 1 ? 'the fingerprint above is the one' : 'the fingerprints above are those'} the organisation published.`,
          ),
    );
  });
}
