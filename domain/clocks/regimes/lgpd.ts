import { afterBusinessDays, type Calendar } from '../conventions';
import type { ClockEvent, ClockObligation, ClockOutcome, RegimeContext, RegimePack, RuleRef } from '../types';
import { latestEvent, obligation, rule } from './us-pack-kit';

// LGPD (Lei 13.709/2018) Art. 48 as regulated by Resolution CD/ANPD No. 15 of 24 April 2024 (Regulamento
// de Comunicação de Incidente de Segurança), in force from its publication on 26 April 2024. Business days
// skip weekends and Brazil's national public holidays; a deadline ends at midnight in the rule's zone.

const APPLIES_FROM = '2024-04-26';
const VERSION = '2024-04-26';
const LAW = 'LGPD (Lei 13.709/2018) Art. 48';
const RES = 'Resolution CD/ANPD No. 15/2024';
const ANPD = rule('lgpd-anpd', `${LAW}; ${RES} Art. 6 caput and §1`, APPLIES_FROM, VERSION);
const SUBJECTS = rule('lgpd-data-subjects', `${LAW}; ${RES} Art. 9 caput`, APPLIES_FROM, VERSION);
const SUPPLEMENT = rule('lgpd-supplement', `${RES} Art. 6 §3`, APPLIES_FROM, VERSION);
const ROLES = ['dpo', 'legal'];
const NOTICE_DAYS = 3;
const SUPPLEMENT_DAYS = 20;

interface Clock {
  rule: RuleRef;
  title: string;
  recipient: string;
  days: number;
  anchor: ClockEvent;
  why: string;
}

function build(ctx: RegimeContext, c: Clock): ClockObligation {
  const small = ctx.options.lgpdSmallAgent === true;
  // Art. 6 §8 doubles the caput's and §3's deadlines, Art. 9 §6 the data subjects' one.
  const days = small ? c.days * 2 : c.days;
  const calendar: Calendar = { country: 'BR', zone: ctx.zone };
  const doubled = small
    ? [`the controller is a small processing agent: ${c.days} business days count double (${days})`]
    : [];
  return obligation({
    regime: 'lgpd',
    title: c.title,
    recipient: c.recipient,
    due: afterBusinessDays(new Date(c.anchor.at), days, calendar),
    zone: ctx.zone,
    convention: 'business-days',
    rule: c.rule,
    anchor: { event: c.anchor.name, at: c.anchor.at },
    why: [
      c.why,
      ...doubled,
      `due at the end of business day ${days} after that date (weekends and Brazil's national public ` +
        `holidays skipped)`,
    ],
    roles: ROLES,
  });
}

function evaluate(ctx: RegimeContext): ClockOutcome {
  const awareness = latestEvent(ctx.events, 'awareness');
  if (!awareness) return { obligations: [], undecided: [] };
  const { personalData, riskToPeople } = ctx.facts;
  if (personalData === undefined)
    return {
      obligations: [],
      undecided: [{ regime: 'lgpd', obligation: 'lgpd-anpd', question: 'answer personal-data=yes|no' }],
    };
  // Art. 48 and Res. 15 Art. 5 oblige a notice only for an incident that may bring relevant risk or harm;
  // an assessment that it brings no risk at all rules that out. Unassessed risk keeps the duty.
  if (!personalData || riskToPeople === false) return { obligations: [], undecided: [] };
  const known =
    `the controller knew on ${awareness.at} that the incident affected personal data ` +
    `(awareness stands for that knowledge, Art. 6 §1; correct it if personal data was found later)`;
  const obligations = [
    build(ctx, {
      rule: ANPD,
      title: 'Communicate the security incident to the ANPD (3 business days)',
      recipient: 'ANPD',
      days: NOTICE_DAYS,
      anchor: awareness,
      why: known,
    }),
    build(ctx, {
      rule: SUBJECTS,
      title: 'Communicate the security incident to the affected data subjects (3 business days)',
      recipient: 'affected data subjects',
      days: NOTICE_DAYS,
      anchor: awareness,
      why: known,
    }),
  ];
  const submitted = latestEvent(ctx.events, 'submitted:lgpd-anpd');
  if (submitted)
    obligations.push(
      build(ctx, {
        rule: SUPPLEMENT,
        title: 'Supplement the communication to the ANPD (20 business days)',
        recipient: 'ANPD',
        days: SUPPLEMENT_DAYS,
        anchor: submitted,
        why:
          `the communication to the ANPD was submitted on ${submitted.at}; information it lacked may be ` +
          `supplemented, with reasons, until this deadline`,
      }),
    );
  return { obligations, undecided: [] };
}

export const lgpdPack: RegimePack = {
  id: 'lgpd',
  title: 'LGPD Art. 48 with Resolution CD/ANPD No. 15/2024 (security incident communication)',
  defaultZone: 'America/Sao_Paulo',
  events: ['awareness', 'submitted:lgpd-anpd'],
  facts: ['personal-data'],
  rules: [ANPD, SUBJECTS, SUPPLEMENT],
  evaluate,
};
