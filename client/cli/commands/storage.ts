import type { Command } from 'commander';
import { importLocalStorage } from '../../../stores/postgres/pg-import';
import { printJson, withExample, type CliContext } from '../command-context';
import { CliProblem } from '../problem';

// `incident storage migrate`: an installation that began on the embedded default (everything under the
// data dir) moves to the shared stores a multi-machine installation uses. Run it on the machine that
// holds the data dir, with the workers stopped, then start them with the new storage settings.

export function addStorageCommands(program: Command, ctx: CliContext): void {
  const storage = program
    .command('storage')
    .description("Move what the worker keeps beside Temporal to the installation's stores");
  withExample(
    storage
      .command('migrate')
      .description(
        "Copy the data dir's audit trails, checkpoints, mail ledger, sending intents and evidence records into storage.postgres, verifying each item; the files are left untouched",
      )
      .requiredOption('--to <store>', 'the store to copy into: postgres')
      .option('--json', 'print the counts as JSON'),
    'DATABASE_URL=postgres://incident_worker@db/incidents incident storage migrate --to postgres',
  ).action(async (opts: { to: string; json?: boolean }) => {
    if (opts.to !== 'postgres')
      throw new CliProblem(
        'usage',
        `--to ${JSON.stringify(opts.to)}: the stores this version migrates to are: postgres.`,
      );
    const config = ctx.config();
    if (!config.storage.postgres)
      throw new CliProblem(
        'usage',
        'storage.postgres is not configured: set DATABASE_URL (and DATABASE_MIGRATION_URL for the owner) or storage.postgres.url in the configuration file, then run this again.',
      );
    const summary = await importLocalStorage(config.storage.postgres, config.dataDir);
    if (opts.json) printJson(ctx, summary);
    else {
      const { trails, ledger, intents, manifests } = summary.items;
      ctx.out.line(`Copied from ${config.dataDir} into ${summary.where}:`);
      ctx.out.line(
        `  audit trails     ${trails.copied} copied (${summary.rows.entries} entries, ${summary.rows.checkpoints} checkpoints), ${trails.alreadyThere} already there`,
      );
      ctx.out.line(`  mail deliveries  ${ledger.copied} copied, ${ledger.alreadyThere} already there`);
      ctx.out.line(`  sending intents  ${intents.copied} copied, ${intents.alreadyThere} already there or over`);
      ctx.out.line(`  evidence index   ${manifests.copied} copies indexed, ${manifests.alreadyThere} already there`);
      ctx.out.line('Each copied item was read back from the database and compared; the local files are unchanged.');
    }
    if (summary.problems.length) {
      const lines = summary.problems.map((p) => `  ${p.item} ${p.problem}`);
      throw new CliProblem('refused', `${summary.problems.length} item(s) not copied:\n${lines.join('\n')}`);
    }
  });
}
