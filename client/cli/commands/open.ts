import { Option, type Command } from 'commander';
import { CATEGORIES, SEVERITIES } from '../../../domain/incident';
import { actorOf, printJson, withExample, type CliContext } from '../command-context';
import { collect, parseTime } from '../input';
import { UsageError } from '../problem';
import { printOpened } from '../render';

// `incident open`: the one command that starts a workflow. Only on a terminal does it ask for what the
// command line left out (prompt.ts); a script gets a usage error at once.

export function addOpenCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('open')
      .description('Open an incident; senior personnel are told at once. Prompts for what is missing on a terminal.')
      .option('--id <id>', 'incident id (default: INC-<date>-<random>)')
      .option('--title <text>', 'short title')
      .addOption(new Option('--severity <sev>', 'severity').choices([...SEVERITIES]))
      .addOption(new Option('--category <category>', 'category').choices([...CATEGORIES]))
      .option('--system <name>', 'affected system (repeat for several)', collect)
      .option('--detection <text>', 'how the incident was detected')
      .option('--aware <time>', 'when the organisation became aware: ISO 8601 or "2h ago"', 'now')
      .option('--summary <text>', 'what is known so far')
      .option(
        '--policy-profile <name>',
        "a policy profile of the worker's configuration (its deadlines and recipients) instead of its default",
      )
      .option('--json', 'print the result as JSON'),
    'incident open --title "Web shell on web-01" --severity SEV1 --category intrusion --system web-01 --detection "EDR alert" --aware "2h ago"',
  ).action(async (opts, cmd: Command) => {
    const now = ctx.now();
    const fields: Record<string, unknown> = { ...opts };
    const missing = ['title', 'severity', 'category', 'detection'].filter((k) => !fields[k]);
    if (missing.length) {
      if (!ctx.prompter)
        throw new UsageError(
          `incident open needs ${missing.map((m) => `--${m}`).join(', ')} (or run it on a terminal to be asked).`,
        );
      fields.title ??= await ctx.prompter.ask('Title', { required: true });
      fields.severity ??= await ctx.prompter.choose('Severity', SEVERITIES);
      fields.category ??= await ctx.prompter.choose('Category', CATEGORIES);
      if (!fields.system) {
        const systems = await ctx.prompter.ask('Affected systems (comma-separated, empty for none yet)', {
          required: false,
        });
        fields.system = systems
          ? systems
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [];
      }
      fields.detection ??= await ctx.prompter.ask('How was it detected', { required: true });
      if (!cmd.getOptionValueSource('aware') || cmd.getOptionValueSource('aware') === 'default') {
        fields.aware =
          (await ctx.prompter.ask('Aware since (ISO 8601 or "2h ago")', { required: false, default: 'now' })) || 'now';
      }
    }
    const incidentId =
      (fields.id as string | undefined) ??
      `INC-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    const incidents = await ctx.incidents();
    // "now" means when the person answered, not when the command started asking.
    const answeredAt = ctx.now();
    const { request } = await incidents.open(
      {
        incidentId,
        title: fields.title,
        severity: fields.severity,
        category: fields.category,
        systems: (fields.system as string[] | undefined) ?? [],
        detection: fields.detection,
        awareAt: parseTime(String(fields.aware ?? 'now'), answeredAt),
        summary: fields.summary,
        openedBy: actorOf(cmd, ctx.env),
        policyProfile: fields.policyProfile,
      },
      answeredAt,
    );
    // The deadlines are the worker's policy, which the incident loads as it opens; never this machine's.
    const view = await incidents.viewWithPolicy(incidentId);
    const policy = view?.policy;
    if (opts.json) {
      const deadlineHours = policy && {
        customersPersonal: policy.customerPersonalDataHours,
        customersProject: policy.customerProjectDataHours,
        regulator: policy.regulatorHours,
      };
      return printJson(ctx, {
        incidentId,
        awareAt: request.awareAt,
        deadlineHours: deadlineHours ?? null,
        policyVersion: view?.policyVersion ?? null,
      });
    }
    printOpened(ctx.out, incidentId, request, policy ? { policy, version: view?.policyVersion } : undefined);
  });
}
