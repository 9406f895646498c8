import { afterHours } from '../conventions';
import type { ClockOutcome, RegimeContext, RegimePack } from '../types';
import { instantOf, latestEvent, obligation, rule, utc } from './obligation-kit';

// GDPR (Regulation (EU) 2016/679) Art. 33: the controller tells the supervisory authority of a personal
// data breach within 72 hours of becoming aware of it. Only the deadline lives here: the phased filing of
// Art. 33(4) ("information may be provided in phases") adds no further clock, and the reasons a late
// notification must carry (Art. 33(1), last sentence) are asked for by the workflow when it is late.

const APPLIES_FROM = '2018-05-25'; // GDPR Art. 99(2)
const NOTIFICATION = rule('gdpr-art33-notification', 'GDPR (EU) 2016/679 Art. 33(1)', APPLIES_FROM);
// The DPO leads the filing; the CTO and legal heard of the CNIL clock before the engine, and still do.
const ROLES = ['cto', 'dpo', 'legal'];

function evaluate(ctx: RegimeContext): ClockOutcome {
  const { facts } = ctx;
  // Art. 33 concerns personal data breaches only: until the assessment says, the regime is undecided.
  if (facts.personalData === undefined)
    return { obligations: [], undecided: [{ regime: 'gdpr-art33', question: 'answer personal-data=yes|no' }] };
  if (!facts.personalData) return { obligations: [], undecided: [] };
  // Art. 33(1) exempts a breach "unlikely to result in a risk": only that recorded assessment lifts the
  // duty, so an unanswered risk keeps it (the burden of showing the risk is unlikely lies with the
  // controller, Art. 5(2)). A high risk is a fortiori a risk, whatever riskToPeople says.
  if (facts.riskToPeople === false && facts.highRisk !== true) return { obligations: [], undecided: [] };
  const awareness = latestEvent(ctx.events, 'awareness');
  if (!awareness) return { obligations: [], undecided: [] };

  const aware = instantOf(awareness);
  const why = [
    `personal data affected: a personal data breach (Art. 4(12))`,
    facts.riskToPeople === undefined
      ? 'risk to people not assessed as unlikely: notification owed (Art. 33(1))'
      : 'the breach is likely to result in a risk to people (Art. 33(1))',
    `aware at ${utc(aware)}: 72 hours of elapsed time from then (Art. 33(1))`,
  ];
  return {
    obligations: [
      obligation({
        regime: 'gdpr-art33',
        title: 'Notify the supervisory authority of the personal data breach (GDPR Art. 33)',
        recipient: ctx.options.supervisoryAuthority ?? 'CNIL',
        due: afterHours(aware, 72),
        zone: ctx.zone,
        convention: 'hours',
        rule: NOTIFICATION,
        anchor: { event: 'awareness', at: aware },
        why,
        roles: ROLES,
      }),
    ],
    undecided: [],
  };
}

export const gdprArt33Pack: RegimePack = {
  id: 'gdpr-art33',
  title: 'GDPR Art. 33: notification of a personal data breach to the supervisory authority',
  defaultZone: 'Europe/Paris',
  events: ['awareness'],
  facts: ['personal-data', 'risk'],
  rules: [NOTIFICATION],
  evaluate,
};
