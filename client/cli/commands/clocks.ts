import type { Command } from 'commander';
import type { ClockObligation, ClockOutcome, RegimePack } from '../../../domain/clocks/types';
import { formatInZone } from '../../../domain/time-format';
import { printJson, type CliContext } from '../command-context';
import { clean, table, type Output } from '../output';

// `incident clocks`: the legal clocks an incident would start, computed here by the same engine the
// workflow runs, without opening an incident (planning, tabletop exercises). It needs no configuration
// and no Temporal; the regime packs (and their holiday calendars, large) load only when it runs, so the
// rest of the CLI starts no slower for it.

interface ClocksOptions {
  regime?: string[];
  at?: string[];
  fact?: string[];
  list?: boolean;
  json?: boolean;
}

const HELP = `
--at takes <event>=<instant>, then the event's other fields after commas:
  due=<instant>        authority-request: the deadline the authority gave (required)
  regime=<id>          delay-start, delay-end, authority-request, information-available: the regime concerned
  reason=<text>        materiality-determined: why it is material (required)
  reference=<text>     a document's or a submission's reference
An instant is ISO 8601 with its offset (2026-03-02T10:00Z, 2026-03-02T11:00+01:00), "now" or "2h ago".
Events may not be later than now. Facts are <name>=<value>; --list names every regime, event and fact.
The what-if uses France's holidays and each regime's default zone unless facts say otherwise
(--fact member-state=DE, --fact zone:nis2=Europe/Berlin).

Examples:
  incident clocks --regime dora --at awareness=2026-03-02T08:00Z --at classified-major=2026-03-02T18:00Z \\
    --fact dora-entity-type=payment-institution --json
  incident clocks --regime nis2 gdpr-art33 --at awareness=2026-03-02T10:00Z --at classified-significant=2026-03-02T12:00Z
  incident clocks --regime sec-8k --at 'materiality-determined=2026-11-20T15:00-05:00,reason=board vote on the ransomware impact'
  incident clocks --regime nis2 --at awareness=2026-03-02T10:00Z --at classified-significant=2026-03-02T11:00Z \\
    --at 'authority-request=2026-03-04T10:00Z,due=2026-03-06T10:00Z'
  incident clocks --regime hipaa --at discovered=2026-01-05T00:00Z --fact hipaa-role=covered-entity --fact people=800 --fact residents=CA:600
  incident clocks --list
`;

export function addClocksCommand(program: Command, ctx: CliContext): void {
  // Its examples are in HELP, with the --at syntax they illustrate, rather than one withExample line.
  program
    .command('clocks')
    .description('What-if: the legal deadlines that events would start, per regime, without opening an incident')
    .option('--regime <id...>', 'regimes to compute (repeatable, or several after one --regime)')
    .option('--at <event=instant...>', 'an anchor event and when it happened (repeatable)')
    .option('--fact <name=value...>', 'a fact of the incident or a setting to try (repeatable)')
    .option('--list', 'list the regimes with their rules, the events and the facts')
    .option('--json', 'print JSON: an array of {regime, obligation, dueAt, zone, convention, rule, …}')
    .addHelpText('after', HELP)
    .action((opts: ClocksOptions) => {
      // Loaded here: the packs bring the holiday calendars of every country with them.
      const { ALL_PACKS: packs } =
        require('../../../domain/clocks/registry') as typeof import('../../../domain/clocks/registry');
      if (opts.list) return printList(ctx, packs, opts.json);
      const { computeClocks } =
        require('../../../domain/clocks/engine') as typeof import('../../../domain/clocks/engine');
      const { checkClockInput } =
        require('../../../domain/clocks/request-check') as typeof import('../../../domain/clocks/request-check');
      const { parseFacts } = require('../../../domain/clocks/facts') as typeof import('../../../domain/clocks/facts');
      const { parseEventArgument } =
        require('../../../domain/clocks/events') as typeof import('../../../domain/clocks/events');

      const now = ctx.now();
      const regimes = (opts.regime ?? [])
        .flatMap((r) => r.split(','))
        .map((r) => r.trim())
        .filter(Boolean);
      const events = (opts.at ?? []).map((a) => parseEventArgument(a, now));
      const { facts, options } = parseFacts(opts.fact ?? []);
      const input = checkClockInput(
        packs,
        { regimes: regimes as never, events, facts, options: { memberState: 'FR', ...options } },
        now,
      );
      printOutcome(ctx, computeClocks(packs, input), opts.json);
    });
}

function undecidedLine(u: ClockOutcome['undecided'][number]): string {
  return `undecided: ${u.regime}${u.obligation ? ` ${u.obligation}` : ''}: ${clean(u.question)}`;
}

function printOutcome(ctx: CliContext, outcome: ClockOutcome, json?: boolean): void {
  if (json) {
    // stdout stays the array the issue fixes; what is undecided goes beside it, for a person to read.
    printJson(ctx, outcome.obligations.map(jsonRow));
    for (const u of outcome.undecided) ctx.out.error(undecidedLine(u));
    return;
  }
  if (outcome.obligations.length === 0)
    ctx.out.line('No clock runs yet: record the events that start them (incident clocks --list names them).');
  else ctx.out.line(obligationTable(ctx.out, outcome.obligations));
  for (const o of outcome.obligations) {
    if (o.lateBecause) ctx.out.line(`late: ${o.obligation}: ${clean(o.lateBecause)}`);
    if (o.pausedUntilDelayEnd) ctx.out.line(`paused: ${o.obligation}: counts again from the delay's end`);
  }
  for (const u of outcome.undecided) ctx.out.line(undecidedLine(u));
}

function jsonRow(o: ClockObligation) {
  return {
    regime: o.regime,
    obligation: o.obligation,
    dueAt: o.dueAt,
    zone: o.zone,
    convention: o.convention,
    rule: o.rule,
    recipient: o.recipient,
    title: o.title,
    anchor: o.anchor,
    why: o.why,
    ...(o.lateBecause ? { lateBecause: o.lateBecause } : {}),
    ...(o.pausedUntilDelayEnd ? { pausedUntilDelayEnd: true } : {}),
  };
}

function obligationTable(out: Output, obligations: ClockObligation[]): string {
  return table(
    out,
    ['REGIME', 'OBLIGATION', 'RECIPIENT', 'DUE (UTC)', 'DUE (LEGAL ZONE)', 'CONVENTION', 'RULE'],
    obligations.map((o) => [
      o.regime,
      o.obligation,
      o.recipient,
      `${new Date(o.dueAt).toISOString().slice(0, 16).replace('T', ' ')}Z`,
      formatInZone(o.dueAt, o.zone),
      o.convention,
      `${o.rule.id}@${o.rule.version} ${o.rule.citation}`,
    ]),
  );
}

function printList(ctx: CliContext, packs: readonly RegimePack[], json?: boolean): void {
  const { FACTS } = require('../../../domain/clocks/facts') as typeof import('../../../domain/clocks/facts');
  const { EVENT_DESCRIPTIONS } =
    require('../../../domain/clocks/events') as typeof import('../../../domain/clocks/events');
  if (json) {
    const regimes = packs.map((p) => ({ id: p.id, title: p.title, defaultZone: p.defaultZone, rules: p.rules }));
    return printJson(ctx, { regimes, events: EVENT_DESCRIPTIONS, facts: FACTS });
  }
  ctx.out.line('Regimes (--regime):');
  for (const p of packs) {
    ctx.out.line(`  ${p.id}  ${p.title} (legal zone ${p.defaultZone})`);
    for (const r of p.rules) ctx.out.line(`      ${r.id}@${r.version}  ${r.citation}, from ${r.appliesFrom}`);
  }
  listSection(
    ctx.out,
    'Events (--at <event>=<instant>[,field=value…]; * required):',
    ['EVENT', 'FIELDS', 'MEANING'],
    EVENT_DESCRIPTIONS.map((e) => [e.name, e.fields, e.meaning]),
  );
  listSection(
    ctx.out,
    'Facts (--fact <name>=<value>):',
    ['FACT', 'VALUES', 'MEANING'],
    FACTS.map((f) => [f.name, f.values, f.meaning]),
  );
}

/** A heading after a blank line, then a table indented under it. */
function listSection(out: Output, heading: string, head: string[], rows: string[][]): void {
  const indent = (cells: string[]) => [`  ${cells[0]}`, ...cells.slice(1)];
  out.line('');
  out.line(heading);
  out.line(table(out, indent(head), rows.map(indent)));
}
