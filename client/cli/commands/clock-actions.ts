import { Option, type Command } from 'commander';
import { RECORDABLE_EVENTS } from '../../../domain/actions';
import { REGIME_IDS } from '../../../domain/clocks/types';
import * as api from '../../../workflows/incident-api';
import type { CliContext } from '../command-context';
import { collect, parseTime } from '../input';
import { addActionSpecs, type ActionSpec } from './action-spec';

// The responder actions that drive an incident's legal clocks: the events that start, chain and pause
// them, the facts the regimes decide on, each phase's submission, and a corrected awareness time.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const clockActions: ActionSpec<any>[] = [
  {
    name: 'event',
    summary: 'Record an event that starts or pauses a legal clock (classification, determination, delay…)',
    example:
      'incident event INC-1 classified-major --at "2026-03-01T12:00:00Z"\n  incident event INC-1 materiality-determined --reason "Board: customer data of 2M users exfiltrated"\n  incident event INC-1 delay-start --regime sec-8k --reference "DOJ letter 2026-17"',
    args: ['<event>'],
    update: api.clockEventUpdate,
    options: (c) =>
      c
        .addHelpText('after', `\nEvents: ${RECORDABLE_EVENTS.join(', ')}`)
        .option('--at <time>', 'when it happened (default now; never in the future)')
        .option('--reason <text>', 'why (required for materiality-determined)')
        .option('--reference <ref>', 'the document it rests on (required for delay-start)')
        .option('--due <time>', 'authority-request: the deadline the authority gave')
        .addOption(new Option('--regime <id>', 'the regime it concerns (a delay, a request)').choices([...REGIME_IDS])),
    input: ([event], o, actor, now) => ({
      actor,
      event,
      at: o.at ? parseTime(String(o.at), now) : undefined,
      reason: o.reason,
      reference: o.reference,
      dueAt: o.due ? parseTime(String(o.due), now) : undefined,
      regime: o.regime,
    }),
  },
  {
    name: 'facts',
    summary: 'Record facts the legal regimes decide on (people affected, HIPAA role, ongoing…)',
    example: 'incident facts INC-1 --fact people=1200 --fact residents=CA:640 --fact hipaa-role=covered-entity',
    update: api.clockFactsUpdate,
    options: (c) =>
      c.requiredOption('--fact <name=value>', 'a fact, repeatable (incident clocks --list shows them)', collect, []),
    input: (_a, o, actor) => ({ actor, facts: o.fact }),
  },
  {
    name: 'submitted',
    summary: "Record a phase's report as submitted; it meets the obligation and starts the next phase's clock",
    example: 'incident submitted INC-1 dora-initial --reference ACPR-2026-0042 --at "20 min ago"',
    args: ['<obligation>'],
    update: api.submissionUpdate,
    options: (c) =>
      c
        .requiredOption('--reference <ref>', 'the filing or message reference')
        .option('--at <time>', 'when it was submitted (default now)')
        .option('--late-reason <text>', 'the reasons for the delay (required after the deadline)'),
    input: ([obligationId], o, actor, now) => ({
      actor,
      obligationId,
      reference: o.reference,
      at: o.at ? parseTime(String(o.at), now) : undefined,
      lateReason: o.lateReason,
    }),
  },
  {
    name: 'correct-awareness',
    summary: 'Correct when the organisation became aware; every clock counted from it moves and is re-announced',
    example:
      'incident correct-awareness INC-1 --at "2026-03-01T01:40:00Z" --reason "SOC ticket shows the first alert read at 01:40"',
    update: api.correctAwarenessUpdate,
    options: (c) =>
      c
        .requiredOption('--at <time>', 'the corrected awareness time')
        .requiredOption('--reason <text>', 'why the recorded time was wrong'),
    input: (_a, o, actor, now) => ({ actor, at: parseTime(String(o.at), now), reason: o.reason }),
  },
];

export function addClockActionCommands(program: Command, ctx: CliContext): void {
  addActionSpecs(program, ctx, clockActions);
}
