import { afterHours, earliestOf, endOfMonthsAfter } from '../conventions';
import type { ClockObligation, ClockOutcome, EventName, RegimeContext, RegimePack, UndecidedClock } from '../types';
import { doraRelief, type DoraReport } from './dora-relief';
import { instantOf, latestEvent, obligation, rule, utc, type ObligationSpec } from './obligation-kit';

// DORA (Regulation (EU) 2022/2554) Art. 19(4) sets the three reports on a major ICT-related incident; the
// time limits are those of Commission Delegated Regulation (EU) 2025/301 Art. 5. Each phase after the first
// counts from the *submission* of the one before it, so the chain only advances as reports are submitted.

const APPLIES_FROM = '2025-01-17'; // DORA Art. 64
const DORA = 'DORA Regulation (EU) 2022/2554 Art. 19(4)';
const RTS = 'Delegated Regulation (EU) 2025/301 Art. 5';
const INITIAL = rule('dora-initial', `${DORA}(a); ${RTS}(1)(a) and (2)`, APPLIES_FROM);
const INTERMEDIATE = rule('dora-intermediate', `${DORA}(b); ${RTS}(1)(b)`, APPLIES_FROM);
const RECOVERED = rule(
  'dora-intermediate-recovered',
  `${DORA}(b); ${RTS}(1)(b), second sentence (without undue delay; 24 h is this system's target, not statutory)`,
  APPLIES_FROM,
);
const FINAL = rule('dora-final', `${DORA}(c); ${RTS}(1)(c)`, APPLIES_FROM);
const ROLES = ['ciso', 'legal'];
/** Art. 5(1)(b) asks for the updated report "without undue delay" after recovery; the hours are ours. */
const RECOVERED_TARGET_HOURS = 24;

type Spec = Omit<ObligationSpec, 'regime' | 'recipient' | 'zone' | 'roles' | 'due'> & {
  limit: Date;
  report: DoraReport;
};

function initialNotification(aware: Date, classified: Date, build: (s: Spec) => ClockObligation): ClockObligation {
  const fromAwareness = afterHours(aware, 24);
  const facts = `aware at ${utc(aware)}; classified as major at ${utc(classified)}`;
  // Art. 5(2): classified only after the 24 h from awareness had run out, the 24 h limit cannot be met any
  // more and the initial notification is due 4 h after classification; the reports say why it is late.
  if (classified.getTime() >= fromAwareness.getTime())
    return build({
      title: 'Initial notification of a major ICT-related incident (DORA)',
      limit: afterHours(classified, 4),
      report: 'initial',
      convention: 'earliest-of',
      rule: INITIAL,
      anchor: { event: 'classified-major', at: classified },
      why: [facts, '4 hours after classification (Art. 5(2))'],
      lateBecause:
        `classified as major at ${utc(classified)}, after the 24 h limit from awareness ` +
        `(${utc(fromAwareness)}) had passed: due 4 h after classification (Art. 5(2))`,
      reminderOffsetsMinutes: [120, 60, 15],
    });
  // Art. 5(1)(a): within 4 h of classification "but no later than" 24 h after awareness: the earlier.
  const limits: { at: Date; event: EventName; anchorAt: Date }[] = [
    { at: afterHours(classified, 4), event: 'classified-major', anchorAt: classified },
    { at: fromAwareness, event: 'awareness', anchorAt: aware },
  ];
  const earliest = earliestOf(limits);
  return build({
    title: 'Initial notification of a major ICT-related incident (DORA)',
    limit: earliest.at,
    report: 'initial',
    convention: 'earliest-of',
    rule: INITIAL,
    anchor: { event: earliest.event, at: earliest.anchorAt },
    why: [
      facts,
      `4 h after classification (${utc(limits[0].at)}) or 24 h after awareness (${utc(limits[1].at)}), ` +
        `whichever is earlier: the ${earliest.event === 'awareness' ? '24 h after awareness' : '4 h after classification'} (Art. 5(1)(a))`,
    ],
    reminderOffsetsMinutes: [120, 60, 15],
  });
}

/** The latest intermediate report submitted, of either kind: the final report counts from it (Art. 5(1)(c)). */
function latestIntermediate(ctx: RegimeContext): { event: EventName; at: Date } | undefined {
  const names: EventName[] = ['submitted:dora-intermediate', 'submitted:dora-intermediate-recovered'];
  const submitted = names.flatMap((name) => {
    const event = latestEvent(ctx.events, name);
    return event ? [{ event: name, at: instantOf(event) }] : [];
  });
  return submitted.sort((a, b) => b.at.getTime() - a.at.getTime())[0];
}

function evaluate(ctx: RegimeContext): ClockOutcome {
  const majorEvent = latestEvent(ctx.events, 'classified-major');
  // DORA Art. 19(1) obliges reporting of major incidents only.
  if (!majorEvent) return { obligations: [], undecided: [] };
  const awarenessEvent = latestEvent(ctx.events, 'awareness');
  if (!awarenessEvent)
    return {
      obligations: [],
      undecided: [{ regime: 'dora', obligation: INITIAL.id, question: 'record the event awareness' }],
    };

  const build = ({ limit, report, ...spec }: Spec): ClockObligation => {
    const relief = doraRelief(limit, report, ctx.options, ctx.zone);
    return obligation({
      ...spec,
      due: relief.due,
      why: [...spec.why, relief.reason],
      regime: 'dora',
      recipient: ctx.options.doraAuthority ?? 'the competent authority (DORA Art. 46)',
      zone: ctx.zone,
      roles: ROLES,
    });
  };
  const undecided: UndecidedClock[] = [];
  if (ctx.options.doraEntityType === undefined)
    undecided.push({
      regime: 'dora',
      question:
        'answer the DORA entity type: clocks.doraEntityType in the worker configuration (dora-entity-type=<type> in a what-if)',
    });

  const obligations = [initialNotification(instantOf(awarenessEvent), instantOf(majorEvent), build)];

  const initialSubmitted = latestEvent(ctx.events, 'submitted:dora-initial');
  if (initialSubmitted) {
    // From the initial notification's submission, not from classification (Art. 5(1)(b)).
    const at = instantOf(initialSubmitted);
    obligations.push(
      build({
        title: 'Intermediate report on the major ICT-related incident (DORA)',
        limit: afterHours(at, 72),
        report: 'intermediate',
        convention: 'hours',
        rule: INTERMEDIATE,
        anchor: { event: 'submitted:dora-initial', at },
        why: [`initial notification submitted at ${utc(at)}: 72 hours from that submission (Art. 5(1)(b))`],
      }),
    );
  }

  const recoveredEvent = latestEvent(ctx.events, 'activities-recovered');
  if (recoveredEvent) {
    const at = instantOf(recoveredEvent);
    obligations.push(
      build({
        title: 'Updated intermediate report: regular activities recovered (DORA)',
        limit: afterHours(at, RECOVERED_TARGET_HOURS),
        report: 'intermediate',
        convention: 'hours',
        rule: RECOVERED,
        anchor: { event: 'activities-recovered', at },
        why: [
          `regular activities recovered at ${utc(at)} (Art. 5(1)(b), second sentence)`,
          `"without undue delay" read as this system's target of ${RECOVERED_TARGET_HOURS} h`,
        ],
      }),
    );
  }

  const latest = latestIntermediate(ctx);
  if (latest)
    obligations.push(
      build({
        title: 'Final report on the major ICT-related incident (DORA)',
        limit: endOfMonthsAfter(latest.at, 1, ctx.zone),
        report: 'final',
        convention: 'months',
        rule: FINAL,
        anchor: latest,
        why: [`latest intermediate report (${latest.event}) submitted at ${utc(latest.at)}: one month (Art. 5(1)(c))`],
      }),
    );
  return { obligations, undecided };
}

export const doraPack: RegimePack = {
  id: 'dora',
  title: 'DORA Art. 19(4): reporting of a major ICT-related incident (Delegated Regulation 2025/301 Art. 5)',
  defaultZone: 'Europe/Paris',
  events: [
    'awareness',
    'classified-major',
    'submitted:dora-initial',
    'activities-recovered',
    'submitted:dora-intermediate',
    'submitted:dora-intermediate-recovered',
  ],
  facts: [],
  rules: [INITIAL, INTERMEDIATE, RECOVERED, FINAL],
  evaluate,
};
