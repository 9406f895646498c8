import { afterHours, endOfCalendarDays } from '../conventions';
import type { ClockObligation, ClockOutcome, RegimeContext, RegimePack } from '../types';
import { latestEvent, obligation, rule } from './us-pack-kit';

// 23 NYCRR Part 500 (NYDFS cybersecurity regulation), section 500.17 as amended on 1 November 2023; the
// amended notice duties apply from 1 December 2023. The 72 h and 24 h clocks are elapsed hours; the 30
// days are calendar days ending at midnight in the rule's zone.

const APPLIES_FROM = '2023-12-01';
const VERSION = '2023-11-01';
const NOTICE = rule('nydfs-notice', '23 NYCRR 500.17(a)(1)', APPLIES_FROM, VERSION);
const EXTORTION_NOTICE = rule('nydfs-extortion-notice', '23 NYCRR 500.17(c)(1)', APPLIES_FROM, VERSION);
const EXTORTION_EXPLANATION = rule('nydfs-extortion-explanation', '23 NYCRR 500.17(c)(2)', APPLIES_FROM, VERSION);
const ROLES = ['ciso', 'legal'];
const RECIPIENT = 'NYDFS Superintendent';
/** A 24 h clock: the policy's 12 h first reminder would come at half-time, too late to be a warning. */
const SHORT_CLOCK_REMINDERS = [240, 60, 15];

function evaluate(ctx: RegimeContext): ClockOutcome {
  const obligations: ClockObligation[] = [];
  const determined = latestEvent(ctx.events, 'incident-determined');
  if (determined) {
    const at = new Date(determined.at);
    obligations.push(
      obligation({
        regime: 'nydfs',
        title: 'Notify the NYDFS Superintendent of the cybersecurity incident (72 h)',
        recipient: RECIPIENT,
        due: afterHours(at, 72),
        zone: ctx.zone,
        convention: 'hours',
        rule: NOTICE,
        anchor: { event: 'incident-determined', at },
        why: [`a reportable cybersecurity incident was determined to have occurred on ${determined.at}`],
        roles: ROLES,
      }),
    );
  }
  const paid = latestEvent(ctx.events, 'extortion-paid');
  if (paid) {
    const at = new Date(paid.at);
    const why = `an extortion payment was made on ${paid.at}`;
    obligations.push(
      obligation({
        regime: 'nydfs',
        title: 'Notify the NYDFS Superintendent of the extortion payment (24 h)',
        recipient: RECIPIENT,
        due: afterHours(at, 24),
        zone: ctx.zone,
        convention: 'hours',
        rule: EXTORTION_NOTICE,
        anchor: { event: 'extortion-paid', at },
        why: [why],
        roles: ROLES,
        reminderOffsetsMinutes: SHORT_CLOCK_REMINDERS,
      }),
      obligation({
        regime: 'nydfs',
        title: 'Send the NYDFS Superintendent the written explanation of the extortion payment (30 days)',
        recipient: RECIPIENT,
        due: endOfCalendarDays(at, 30, ctx.zone),
        zone: ctx.zone,
        convention: 'calendar-days',
        rule: EXTORTION_EXPLANATION,
        anchor: { event: 'extortion-paid', at },
        why: [why, 'why it was necessary, the alternatives considered, the diligence and sanctions checks'],
        roles: ROLES,
      }),
    );
  }
  return { obligations, undecided: [] };
}

export const nydfsPack: RegimePack = {
  id: 'nydfs',
  title: 'NYDFS 23 NYCRR 500.17 (cybersecurity incident and extortion payment notices)',
  defaultZone: 'America/New_York',
  events: ['incident-determined', 'extortion-paid'],
  facts: [],
  rules: [NOTICE, EXTORTION_NOTICE, EXTORTION_EXPLANATION],
  evaluate,
};
