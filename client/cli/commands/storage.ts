import type { Command } from 'commander';
import type { Config } from '../../../platform/config/schema';
import type { ImportProblem } from '../../../stores/import-tally';
import { postgresEvidenceManifests } from '../../../stores/postgres/pg-evidence-manifests';
import { importLocalStorage } from '../../../stores/postgres/pg-import';
import { preparePostgres } from '../../../stores/postgres/pg-prepare';
import { S3SetupError } from '../../../stores/s3/s3-client';
import { importToObjectStore } from '../../../stores/s3/s3-import';
import { printJson, withExample, type CliContext } from '../command-context';
import { CliProblem } from '../problem';

// `incident storage migrate`: an installation that began on the embedded default (everything under the
// data dir) moves to the shared stores a multi-machine installation uses. Run it on the machine that
// holds the data dir, with the workers stopped, then start them with the new storage settings.

const STORES = ['postgres', 's3'];

function refuseProblems(problems: ImportProblem[]): void {
  if (!problems.length) return;
  const lines = problems.map((p) => `  ${p.item} ${p.problem}`);
  throw new CliProblem('refused', `${problems.length} item(s) not copied:\n${lines.join('\n')}`);
}

async function toPostgres(ctx: CliContext, config: Config, json: boolean): Promise<void> {
  if (!config.storage.postgres)
    throw new CliProblem(
      'usage',
      'storage.postgres is not configured: set DATABASE_URL (and DATABASE_MIGRATION_URL for the owner) or storage.postgres.url in the configuration file, then run this again.',
    );
  const summary = await importLocalStorage(config.storage.postgres, config.dataDir);
  if (json) printJson(ctx, summary);
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
  refuseProblems(summary.problems);
}

async function toObjectStore(ctx: CliContext, config: Config, json: boolean): Promise<void> {
  const settings = config.storage.s3;
  if (!settings)
    throw new CliProblem(
      'usage',
      'storage.s3 is not configured: set S3_ENDPOINT and S3_BUCKET (or storage.s3 in the configuration file) and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, then run this again.',
    );
  // With PostgreSQL configured, the installation's evidence index names the copies in the bucket too.
  const postgres = config.storage.postgres
    ? await preparePostgres(config.storage.postgres, 'Nothing was copied.')
    : undefined;
  let summary;
  try {
    summary = await importToObjectStore(
      settings,
      config.dataDir,
      ctx.env,
      postgres && postgresEvidenceManifests(postgres.pool),
    );
  } catch (err) {
    if (!(err instanceof S3SetupError)) throw err;
    const credentials = /credentials are not|_FILE names/.test(err.message);
    throw new CliProblem(credentials ? 'usage' : 'refused', err.message);
  } finally {
    await postgres?.pool.end();
  }
  if (json) printJson(ctx, summary);
  else {
    const { copies, reports, manifests } = summary.items;
    ctx.out.line(`Copied from ${config.dataDir} into ${summary.where}:`);
    ctx.out.line(
      `  evidence copies  ${copies.copied} copied (${summary.rows.files} files, ${summary.rows.bytes} bytes), ${copies.alreadyThere} already there`,
    );
    ctx.out.line(`  reports          ${reports.copied} copied, ${reports.alreadyThere} already there`);
    if (postgres)
      ctx.out.line(`  evidence index   ${manifests.copied} copies indexed, ${manifests.alreadyThere} already there`);
    ctx.out.line(
      `Each object was read back and compared, and is locked in COMPLIANCE mode for ${summary.retentionDays} days; the local files are unchanged.`,
    );
  }
  refuseProblems(summary.problems);
}

export function addStorageCommands(program: Command, ctx: CliContext): void {
  const storage = program
    .command('storage')
    .description("Move what the worker keeps beside Temporal to the installation's stores");
  withExample(
    storage
      .command('migrate')
      .description(
        "Copy the data dir's audit trails, checkpoints, mail ledger, sending intents and evidence records into storage.postgres (--to postgres), or its forensic copies and rendered reports into storage.s3 under Object Lock (--to s3), verifying each item; the files are left untouched",
      )
      .requiredOption('--to <store>', `the store to copy into: ${STORES.join(' or ')}`)
      .option('--json', 'print the counts as JSON'),
    'DATABASE_URL=postgres://incident_worker@db/incidents incident storage migrate --to postgres',
  ).action(async (opts: { to: string; json?: boolean }) => {
    if (!STORES.includes(opts.to))
      throw new CliProblem(
        'usage',
        `--to ${JSON.stringify(opts.to)}: the stores this version migrates to are: ${STORES.join(', ')}.`,
      );
    const config = ctx.config();
    if (opts.to === 'postgres') await toPostgres(ctx, config, Boolean(opts.json));
    else await toObjectStore(ctx, config, Boolean(opts.json));
  });
}
