import { Option, type Command } from 'commander';
import { DATA_IMPACTS, PHASES, SEVERITIES } from '../../../domain/incident';
import { printJson, readAudit, withExample, type CliContext } from '../command-context';
import { incidentTable, printIncident, watchEntryLine, watchPhaseLine } from '../render';

// The commands that read incidents and change nothing: list, show and watch.

export function addListCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('list')
      .description('Open incidents, nearest deadline first')
      .option('--all', 'include closed incidents')
      .addOption(new Option('--severity <sev>', 'only this severity').choices([...SEVERITIES]))
      .addOption(new Option('--phase <phase>', 'only this phase').choices([...PHASES]))
      .addOption(new Option('--impact <impact>', 'only this data impact').choices([...DATA_IMPACTS, 'unassessed']))
      .option('--json', 'print JSON (an array of incidents; see README)'),
    'incident list --severity SEV1',
  ).action(async (opts) => {
    const rows = await ctx.list(opts);
    if (opts.json) return printJson(ctx, rows);
    if (rows.length === 0)
      return ctx.out.line(opts.all ? 'No incidents.' : 'No open incidents. (incident list --all shows closed ones.)');
    ctx.out.line(incidentTable(ctx.out, rows, ctx.now()));
  });
}

export function addShowCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('show')
      .argument('<id>', 'incident id')
      .description('State, obligations, systems and evidence, and the timeline from the audit trail')
      .option('--json', 'print JSON (the incident view; see README)'),
    'incident show INC-20260301-AB12',
  ).action(async (id: string, opts) => {
    const view = await (await ctx.incidents()).view(id);
    const audit = await readAudit(ctx, id);
    if (opts.json) return printJson(ctx, { ...view, timeline: audit.entries });
    printIncident(ctx.out, view, audit);
  });
}

/** Polls the incident and the audit file under this machine's data dir, printing only what is new each time. */
export function addWatchCommand(program: Command, ctx: CliContext): void {
  withExample(
    program
      .command('watch')
      .argument('<id>', 'incident id')
      .description('Follow an incident live until it closes (Ctrl-C to stop)')
      .option('--interval <seconds>', 'how often to look', '2'),
    'incident watch INC-1',
  ).action(async (id: string, opts) => {
    const incidents = await ctx.incidents();
    let seen = 0;
    let phase = '';
    const interval = Math.max(0.2, Number(opts.interval) || 2) * 1000;
    for (;;) {
      const view = await incidents.view(id);
      if (view.phase !== phase) {
        phase = view.phase;
        ctx.out.line(watchPhaseLine(ctx.out, view));
      }
      const { entries } = await readAudit(ctx, id);
      for (const e of entries.filter((x) => x.seq > seen)) ctx.out.line(watchEntryLine(e, view.timeZone));
      seen = Math.max(seen, view.state.auditSeq, ...entries.map((e) => e.seq));
      if (view.state.closedAt) return ctx.out.line(`Incident ${id} is closed.`);
      await new Promise((r) => setTimeout(r, interval));
    }
  });
}
