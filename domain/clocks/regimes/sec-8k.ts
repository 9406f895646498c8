import { afterBusinessDays, type Calendar } from '../conventions';
import type { ClockEvent, ClockObligation, ClockOutcome, RegimeContext, RegimePack } from '../types';
import { delaysFor, describeDelay, eventsFor, latestEvent, obligation, rule, type Delay } from './us-pack-kit';

// Form 8-K Item 1.05 (material cybersecurity incidents), adopted in Release 33-11216; it applies to
// filers other than smaller reporting companies from 18 December 2023 (those from 15 June 2024).

const APPLIES_FROM = '2023-12-18';
const VERSION = '2023-12-18';
const SEC_8K = rule(
  'sec-8k',
  'Form 8-K Item 1.05(a) and General Instruction B.1; Regulation S-T Rule 13(a) (17 CFR 232.13(a))',
  APPLIES_FROM,
  VERSION,
);
const AMENDMENT = rule('sec-8k-amendment', 'Form 8-K Item 1.05, Instruction 2', APPLIES_FROM, VERSION);
const DELAY_CITATION = 'Form 8-K Item 1.05(c)';
const ROLES = ['general-counsel', 'cfo'];
const RECIPIENT = 'SEC (EDGAR)';
const BUSINESS_DAYS = 4;
/** EDGAR dates a submission made after 17:30 Eastern on the next business day (Regulation S-T Rule 13(a)). */
const EDGAR_CUTOFF = '17:30';

interface Deferred {
  due: Date;
  convention: 'business-days' | 'given' | 'paused';
  pausedUntilDelayEnd: boolean;
  why: string[];
}

/**
 * Item 1.05(c) lets the registrant hold back the disclosure "for a time period specified by the Attorney
 * General", counted from the date it was otherwise due. So the filing is owed when that period ends, not
 * the lost days later: a delay in force at the due instant moves the deadline to the delay's end (a
 * deadline the authority set: `given`), and extensions chain. A delay lifted before the due instant, or
 * granted after it, changes nothing. While a delay in force has no end, the deadline is unknown: the
 * obligation is flagged pausedUntilDelayEnd and keeps the undelayed instant so reminders have a date.
 */
export function deferred(due: Date, delays: Delay[]): Deferred {
  let current = due;
  const why: string[] = [];
  for (const d of delays) {
    if (d.start.getTime() > current.getTime()) break;
    if (!d.end)
      return {
        due,
        convention: 'paused',
        pausedUntilDelayEnd: true,
        why: [...why, `${DELAY_CITATION}: ${describeDelay(d)}; the filing is due when the delay ends`],
      };
    if (d.end.getTime() <= current.getTime()) continue;
    why.push(`${DELAY_CITATION}: ${describeDelay(d)}; due moved from ${current.toISOString()} to its end`);
    current = d.end;
  }
  const convention = current === due ? 'business-days' : 'given';
  return { due: current, convention, pausedUntilDelayEnd: false, why };
}

function calendarOf(zone: string): Calendar {
  return { country: 'US', zone };
}

function filing(
  ctx: RegimeContext,
  anchor: ClockEvent,
  delays: Delay[],
  spec: { id: string; title: string; rule: typeof SEC_8K; why: string[] },
): ClockObligation {
  const undelayed = afterBusinessDays(new Date(anchor.at), BUSINESS_DAYS, calendarOf(ctx.zone), EDGAR_CUTOFF);
  const timing = deferred(undelayed, delays);
  return obligation({
    regime: 'sec-8k',
    obligation: spec.id,
    title: spec.title,
    recipient: RECIPIENT,
    due: timing.due,
    zone: ctx.zone,
    convention: timing.convention,
    rule: spec.rule,
    anchor: { event: anchor.name, at: anchor.at },
    why: [
      ...spec.why,
      `due the 4th business day after that date (U.S. federal holidays as observed skipped), by EDGAR's ` +
        `17:30 ${ctx.zone} filing cutoff: ${undelayed.toISOString()}`,
      ...timing.why,
    ],
    roles: ROLES,
    pausedUntilDelayEnd: timing.pausedUntilDelayEnd,
  });
}

function evaluate(ctx: RegimeContext): ClockOutcome {
  const determination = latestEvent(ctx.events, 'materiality-determined');
  // No undecided question without a determination: nothing is missing, the registrant has simply not (yet)
  // found the incident material, and most incidents never are; a standing prompt would be noise.
  if (!determination) return { obligations: [], undecided: [] };
  const delays = delaysFor(ctx.events, 'sec-8k');
  const reason = determination.reason ? `: ${determination.reason}` : '';
  const obligations = [
    filing(ctx, determination, delays, {
      id: SEC_8K.id,
      title: 'File Form 8-K Item 1.05 (material cybersecurity incident)',
      rule: SEC_8K,
      why: [`the incident was determined material on ${determination.at}${reason}`],
    }),
  ];
  // Information known before the determination belongs in the 8-K itself, not in an amendment.
  const later = eventsFor(ctx.events, 'information-available', 'sec-8k').filter(
    (e) => Date.parse(e.at) >= Date.parse(determination.at),
  );
  later.forEach((info, i) => {
    const what = info.reason ? `: ${info.reason}` : '';
    obligations.push(
      filing(ctx, info, delays, {
        id: i === 0 ? AMENDMENT.id : `${AMENDMENT.id}-${i + 1}`,
        title: 'File Form 8-K/A with the Item 1.05 information not available before',
        rule: AMENDMENT,
        why: [`information the Form 8-K lacked became available on ${info.at}${what}`],
      }),
    );
  });
  return { obligations, undecided: [] };
}

export const sec8kPack: RegimePack = {
  id: 'sec-8k',
  title: 'SEC Form 8-K Item 1.05 (material cybersecurity incidents)',
  defaultZone: 'America/New_York',
  events: ['materiality-determined', 'information-available', 'delay-start', 'delay-end'],
  facts: [],
  rules: [SEC_8K, AMENDMENT],
  evaluate,
};
