import { afterHours, endOfMonthsAfter } from '../conventions';
import type { ClockEvent, ClockObligation, ClockOutcome, RegimeContext, RegimePack, UndecidedClock } from '../types';
import { eventsNamed, instantOf, latestEvent, obligation, rule, utc, type ObligationSpec } from './obligation-kit';

// NIS2 (Directive (EU) 2022/2555) Art. 23(4): the phased reporting of a significant incident to the CSIRT
// or competent authority. Every clock counts from the moment the entity became aware that the incident is
// significant (the `classified-significant` event, which a responder may back-date), not from the first
// awareness of the incident: Art. 23(4)(a) and (b) count from becoming aware of the *significant* incident.

const APPLIES_FROM = '2024-10-18'; // Art. 41(1): Member States apply their measures from 18 October 2024
const CITE = 'NIS2 Directive (EU) 2022/2555 Art. 23(4)';
const EARLY_WARNING = rule('nis2-early-warning', `${CITE}(a)`, APPLIES_FROM);
const NOTIFICATION = rule('nis2-notification', `${CITE}(b)`, APPLIES_FROM);
const NOTIFICATION_TSP = rule('nis2-notification', `${CITE}(b), second subparagraph`, APPLIES_FROM);
const INTERMEDIATE = rule('nis2-intermediate-report', `${CITE}(c)`, APPLIES_FROM);
const FINAL = rule('nis2-final-report', `${CITE}(d)`, APPLIES_FROM);
const FINAL_AFTER_HANDLING = rule('nis2-final-report', `${CITE}(e)`, APPLIES_FROM);
const PROGRESS = rule('nis2-progress-report', `${CITE}(e)`, APPLIES_FROM);
const ROLES = ['ciso', 'legal'];

type Spec = Omit<ObligationSpec, 'regime' | 'recipient' | 'zone' | 'roles'>;

/** One obligation per request the authority made, each due when the authority said (Art. 23(4)(c)). */
function intermediateReports(requests: ClockEvent[], build: (s: Spec) => ClockObligation): ClockObligation[] {
  return requests.map((request, index) => {
    const id = index === 0 ? INTERMEDIATE.id : `${INTERMEDIATE.id}-${index + 1}`;
    const asked = instantOf(request);
    const due = new Date(request.dueAt as string);
    return build({
      title: 'Intermediate report requested by the authority (NIS2 Art. 23(4)(c))',
      due,
      convention: 'given',
      rule: { ...INTERMEDIATE, id },
      anchor: { event: 'authority-request', at: asked },
      why: [
        `the authority asked for a status update at ${utc(asked)}, due ${utc(due)}` +
          (request.reference ? ` (${request.reference})` : ''),
      ],
    });
  });
}

/**
 * The final report is due one month after the incident notification was submitted (d), unless the incident
 * is still ongoing then: a progress report is due at that instant instead and the final report one month
 * after the incident is handled (e). Whether it is "ongoing at the time of the submission of the final
 * report" is decided by the `handled` event when there is one (handled after that instant: ongoing), else by
 * the `ongoing` fact; unanswered, the report of (d) is shown and the question asked.
 */
function finalReports(ctx: RegimeContext, build: (s: Spec) => ClockObligation): ClockOutcome {
  const submittedEvent = latestEvent(ctx.events, 'submitted:nis2-notification');
  if (!submittedEvent) return { obligations: [], undecided: [] };
  const submitted = instantOf(submittedEvent);
  const monthAfter = endOfMonthsAfter(submitted, 1, ctx.zone);
  const handledEvent = latestEvent(ctx.events, 'handled');
  const handled = handledEvent && instantOf(handledEvent);
  const ongoing = handled ? handled > monthAfter : ctx.facts.ongoing;
  const submittedWhy = `incident notification submitted at ${utc(submitted)}`;

  if (ongoing !== true) {
    const why = [submittedWhy, 'one month from that submission (Art. 23(4)(d))'];
    if (handled) why.push(`incident handled at ${utc(handled)}, within that month: no progress report`);
    else if (ongoing === false) why.push('the incident is no longer ongoing (ongoing=no)');
    const undecided: UndecidedClock[] =
      ongoing === undefined ? [{ regime: 'nis2', obligation: PROGRESS.id, question: 'answer ongoing=yes|no' }] : [];
    if (ongoing === undefined) why.push('ongoing not answered: a progress report replaces it if still ongoing');
    const final = build({
      title: 'Final report (NIS2 Art. 23(4)(d))',
      due: monthAfter,
      convention: 'months',
      rule: FINAL,
      anchor: { event: 'submitted:nis2-notification', at: submitted },
      why,
    });
    return { obligations: [final], undecided };
  }

  const ongoingWhy = handled
    ? `incident handled only at ${utc(handled)}, after the final report's month: ongoing then (Art. 23(4)(e))`
    : 'the incident is still ongoing (ongoing=yes) (Art. 23(4)(e))';
  const progress = build({
    title: 'Progress report while the incident is ongoing (NIS2 Art. 23(4)(e))',
    due: monthAfter,
    convention: 'months',
    rule: PROGRESS,
    anchor: { event: 'submitted:nis2-notification', at: submitted },
    why: [submittedWhy, ongoingWhy, 'due when the final report of Art. 23(4)(d) would have been'],
  });
  if (!handled) {
    const question = 'record the event handled when the incident is handled';
    return { obligations: [progress], undecided: [{ regime: 'nis2', obligation: FINAL.id, question }] };
  }
  const final = build({
    title: 'Final report after the incident is handled (NIS2 Art. 23(4)(e))',
    due: endOfMonthsAfter(handled, 1, ctx.zone),
    convention: 'months',
    rule: FINAL_AFTER_HANDLING,
    anchor: { event: 'handled', at: handled },
    why: [ongoingWhy, `one month from the incident's handling (Art. 23(4)(e))`],
  });
  return { obligations: [progress, final], undecided: [] };
}

function evaluate(ctx: RegimeContext): ClockOutcome {
  const classifiedEvent = latestEvent(ctx.events, 'classified-significant');
  // Nothing is owed under NIS2 for an incident that is not (yet) significant (Art. 23(1), 23(3)).
  if (!classifiedEvent) return { obligations: [], undecided: [] };
  const classified = instantOf(classifiedEvent);
  const build = (s: Spec): ClockObligation =>
    obligation({
      ...s,
      regime: 'nis2',
      recipient: ctx.options.nis2Authority ?? 'ANSSI / CERT-FR',
      zone: ctx.zone,
      roles: ROLES,
    });
  const significantWhy = `aware that the incident is significant at ${utc(classified)}`;
  const undecided: UndecidedClock[] = [];

  // A trust service provider notifies within 24 h (Art. 23(4)(b), second subparagraph). Being one is a
  // property of the entity, set once in its facts; unrecorded, the entity is taken not to be one (a hosting
  // provider is not), and the sentence in `why` says how to change it.
  const tsp = ctx.facts.trustServiceProvider === true;
  const tspWhy = tsp
    ? 'a trust service provider: 24 h (Art. 23(4)(b), second subparagraph)'
    : ctx.facts.trustServiceProvider === false
      ? 'not a trust service provider: 72 h (Art. 23(4)(b))'
      : 'not recorded as a trust service provider (trust-service-provider=yes makes it 24 h): 72 h (Art. 23(4)(b))';

  const obligations = [
    build({
      title: 'Early warning to the CSIRT (NIS2 Art. 23(4)(a))',
      due: afterHours(classified, 24),
      convention: 'hours',
      rule: EARLY_WARNING,
      anchor: { event: 'classified-significant', at: classified },
      why: [significantWhy, '24 hours of elapsed time from then (Art. 23(4)(a))'],
      reminderOffsetsMinutes: [240, 60, 15],
    }),
    build({
      title: 'Incident notification (NIS2 Art. 23(4)(b))',
      due: afterHours(classified, tsp ? 24 : 72),
      convention: 'hours',
      rule: tsp ? NOTIFICATION_TSP : NOTIFICATION,
      anchor: { event: 'classified-significant', at: classified },
      why: [significantWhy, tspWhy],
    }),
  ];

  // A request addressed to another regime (DORA's authority, say) is not a NIS2 request.
  const requests = eventsNamed(ctx.events, 'authority-request').filter((e) => !e.regime || e.regime === 'nis2');
  obligations.push(
    ...intermediateReports(
      requests.filter((e) => e.dueAt),
      build,
    ),
  );
  if (requests.some((e) => !e.dueAt))
    undecided.push({
      regime: 'nis2',
      obligation: INTERMEDIATE.id,
      question: "record the authority's deadline (dueAt) on its authority-request",
    });

  const finals = finalReports(ctx, build);
  return { obligations: [...obligations, ...finals.obligations], undecided: [...undecided, ...finals.undecided] };
}

export const nis2Pack: RegimePack = {
  id: 'nis2',
  title: 'NIS2 Art. 23(4): reporting of a significant incident to the CSIRT or competent authority',
  defaultZone: 'Europe/Paris',
  events: ['classified-significant', 'authority-request', 'submitted:nis2-notification', 'handled'],
  facts: ['trust-service-provider', 'ongoing'],
  rules: [EARLY_WARNING, NOTIFICATION, NOTIFICATION_TSP, INTERMEDIATE, PROGRESS, FINAL, FINAL_AFTER_HANDLING],
  evaluate,
};
