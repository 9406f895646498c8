import { afterHours } from '../conventions';
import type { ClockOutcome, RegimeContext, RegimePack } from '../types';
import { instantOf, latestEvent, obligation, rule, utc } from './obligation-kit';

// GDPR Art. 34: when a breach is likely to result in a high risk to people, the controller tells the data
// subjects "without undue delay". The Regulation sets no hours, so the deadline here is the organisation's
// own target (art34TargetHours, 72 h by default, the same as Art. 33's), and the rule says so.

const APPLIES_FROM = '2018-05-25'; // GDPR Art. 99(2)
const DEFAULT_TARGET_HOURS = 72;
const COMMUNICATION = rule(
  'gdpr-art34-communication',
  "GDPR (EU) 2016/679 Art. 34(1) (without undue delay; the hours are the organisation's target, not statutory)",
  APPLIES_FROM,
);
const ROLES = ['dpo', 'legal'];
const NONE: ClockOutcome = { obligations: [], undecided: [] };

/** Art. 34(3)(a) and (b) lift the duty altogether; (c) only changes who is told (see below). */
const LIFTING_EXEMPTIONS: Record<string, string> = {
  encrypted: 'Art. 34(3)(a)',
  'risk-removed': 'Art. 34(3)(b)',
};

function evaluate(ctx: RegimeContext): ClockOutcome {
  const { facts } = ctx;
  if (facts.personalData === false || facts.highRisk === false) return NONE;
  // An assessment that the risk is unlikely (Art. 33(1)) rules out a high risk too.
  if (facts.riskToPeople === false && facts.highRisk !== true) return NONE;
  if (facts.highRisk === undefined) {
    const question = facts.personalData ? 'answer high-risk=yes|no' : 'answer personal-data=yes|no';
    return { obligations: [], undecided: [{ regime: 'gdpr-art34', obligation: COMMUNICATION.id, question }] };
  }
  const exemption = facts.art34Exemption;
  if (exemption !== undefined && LIFTING_EXEMPTIONS[exemption]) return NONE;
  const awareness = latestEvent(ctx.events, 'awareness');
  if (!awareness) return NONE;

  const aware = instantOf(awareness);
  const hours = ctx.options.art34TargetHours ?? DEFAULT_TARGET_HOURS;
  const why = ['the breach is likely to result in a high risk to people (Art. 34(1))'];
  // Art. 34(3)(c): where telling each person would involve disproportionate effort, a public communication
  // "or similar measure" replaces it; the duty and its urgency remain, only the recipient changes.
  const publicly = exemption === 'public-communication';
  if (publicly) why.push('individual communication replaced by a public communication (Art. 34(3)(c))');
  else if (exemption !== undefined)
    why.push(`recorded exemption "${exemption}" is none of Art. 34(3)(a)-(c): not applied`);
  why.push(`aware at ${utc(aware)}: the organisation's target of ${hours} h for "without undue delay" (Art. 34(1))`);
  return {
    obligations: [
      obligation({
        regime: 'gdpr-art34',
        title: publicly
          ? 'Communicate the personal data breach publicly (GDPR Art. 34(3)(c))'
          : 'Communicate the personal data breach to the data subjects (GDPR Art. 34)',
        recipient: publicly ? 'the public (Art. 34(3)(c))' : 'the data subjects',
        due: afterHours(aware, hours),
        zone: ctx.zone,
        convention: 'hours',
        rule: COMMUNICATION,
        anchor: { event: 'awareness', at: aware },
        why,
        roles: ROLES,
      }),
    ],
    undecided: [],
  };
}

export const gdprArt34Pack: RegimePack = {
  id: 'gdpr-art34',
  title: 'GDPR Art. 34: communication of a personal data breach to the data subjects',
  defaultZone: 'Europe/Paris',
  events: ['awareness'],
  facts: ['personal-data', 'risk', 'high-risk', 'art34-exemption'],
  rules: [COMMUNICATION],
  evaluate,
};
