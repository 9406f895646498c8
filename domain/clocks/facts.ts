import { ClockInputError } from './input-error';
import { isTimeZone } from './zones';
import { REGIME_IDS, type ClockFacts, type ClockOptions, type RegimeId } from './types';

// The facts `incident clocks --fact <name>=<value>` takes, one table for the parser, `--list` and the
// README. Some of them are the organisation's settings rather than the incident's (a legal zone, the
// Member State, the DORA entity type): a what-if may try them, so they come back as options.

export interface FactDescription {
  name: string;
  values: string;
  meaning: string;
}

export const FACTS: readonly FactDescription[] = [
  { name: 'personal-data', values: 'yes|no', meaning: 'personal data is affected (GDPR, LGPD)' },
  { name: 'project-data', values: 'yes|no', meaning: "customers' non-personal data is affected (contract clocks)" },
  { name: 'risk', values: 'yes|no', meaning: 'the breach is likely to result in a risk to people (GDPR Art. 33(1))' },
  { name: 'high-risk', values: 'yes|no', meaning: 'the risk to people is high (GDPR Art. 34(1))' },
  {
    name: 'art34-exemption',
    values: 'encrypted|risk-removed|public-communication',
    meaning: 'an Art. 34(3) exemption applies, so data subjects are not told one by one',
  },
  { name: 'people', values: '<n>', meaning: 'how many people are affected (HIPAA: 500 or more tells HHS at once)' },
  {
    name: 'residents',
    values: '<US state>:<n>',
    meaning: 'residents of one US state or territory affected, e.g. CA:600 (repeatable; HIPAA media notice)',
  },
  { name: 'hipaa-role', values: 'covered-entity|business-associate', meaning: 'the organisation’s HIPAA role' },
  {
    name: 'trust-service-provider',
    values: 'yes|no',
    meaning: 'a trust service provider (NIS2: notification in 24 h)',
  },
  { name: 'ongoing', values: 'yes|no', meaning: 'the incident is still ongoing (NIS2 progress report)' },
  { name: 'customer', values: '<name>[ <email>]', meaning: 'an affected customer (repeatable; contract clocks)' },
  { name: 'dora-entity-type', values: '<type>', meaning: 'the financial entity type (DORA weekend relief)' },
  { name: 'member-state', values: '<ISO 3166 alpha-2>', meaning: 'whose public holidays count (default FR)' },
  {
    name: 'zone:<regime>',
    values: '<IANA zone>',
    meaning:
      'the legal time zone of a regime (defaults: Europe/Paris EU and contract, America/New_York SEC, HIPAA, NYDFS, America/Sao_Paulo LGPD)',
  },
];

/** States, DC and the territories HIPAA's media notice counts as a "State or jurisdiction" (45 CFR 164.406). */
export const US_STATES: readonly string[] = (
  'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH ' +
  'OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP'
).split(' ');

export const HIPAA_ROLES = ['covered-entity', 'business-associate'] as const;
export const ART34_EXEMPTIONS = ['encrypted', 'risk-removed', 'public-communication'] as const;

export interface ParsedFacts {
  facts: ClockFacts;
  /** Settings a what-if overrides: legal zones, Member State, DORA entity type. */
  options: Pick<ClockOptions, 'zones' | 'memberState' | 'doraEntityType'>;
}

const refuse = (name: string, text: string, what: string) => new ClockInputError(name, `--fact ${text}: ${what}`);

function yesNo(name: string, value: string, text: string): boolean {
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw refuse(name, text, `${name} is yes or no, e.g. ${name}=yes.`);
}

function count(name: string, value: string, text: string, example: string): number {
  if (!/^\d+$/.test(value)) throw refuse(name, text, `${name} takes a whole number of people, e.g. ${example}.`);
  return Number(value);
}

function oneOf<T extends string>(name: string, value: string, text: string, values: readonly T[]): T {
  if ((values as readonly string[]).includes(value)) return value as T;
  throw refuse(name, text, `${name} is one of ${values.join(', ')}.`);
}

/** Parses `--fact` texts; a name given twice takes the last value, except the repeatable residents and customer. */
export function parseFacts(texts: readonly string[]): ParsedFacts {
  const facts: ClockFacts = {};
  const options: ParsedFacts['options'] = {};
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new ClockInputError('--fact', `--fact ${text}: write <name>=<value>, e.g. people=1200.`);
    const name = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (name.startsWith('zone:')) {
      const regime = name.slice('zone:'.length);
      if (!(REGIME_IDS as readonly string[]).includes(regime))
        throw refuse(
          name,
          text,
          `"${regime}" is not a regime; use zone:<regime> with one of ${REGIME_IDS.join(', ')}.`,
        );
      if (!isTimeZone(value))
        throw refuse(name, text, `"${value}" is not an IANA time zone; use a name such as Europe/Paris.`);
      options.zones = { ...options.zones, [regime as RegimeId]: value };
      continue;
    }
    switch (name) {
      case 'personal-data':
        facts.personalData = yesNo(name, value, text);
        break;
      case 'project-data':
        facts.projectData = yesNo(name, value, text);
        break;
      case 'risk':
        facts.riskToPeople = yesNo(name, value, text);
        break;
      case 'high-risk':
        facts.highRisk = yesNo(name, value, text);
        break;
      case 'trust-service-provider':
        facts.trustServiceProvider = yesNo(name, value, text);
        break;
      case 'ongoing':
        facts.ongoing = yesNo(name, value, text);
        break;
      case 'art34-exemption':
        facts.art34Exemption = oneOf(name, value, text, ART34_EXEMPTIONS);
        break;
      case 'hipaa-role':
        facts.hipaaRole = oneOf(name, value, text, HIPAA_ROLES);
        break;
      case 'people':
        facts.people = count(name, value, text, 'people=1200');
        break;
      case 'residents': {
        const m = /^([A-Za-z]{2}):(.*)$/.exec(value);
        const state = m?.[1].toUpperCase() ?? '';
        if (!m || !US_STATES.includes(state))
          throw refuse(
            name,
            text,
            'residents is <US state code>:<number>, e.g. residents=CA:600 (repeat it per state).',
          );
        facts.residents = { ...facts.residents, [state]: count(name, m[2], text, 'residents=CA:600') };
        break;
      }
      case 'customer': {
        const m = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(value) ?? /^(.*?)\s+([^\s]+@[^\s]+)$/.exec(value);
        const customer = m ? { name: m[1].trim(), email: m[2] } : { name: value };
        if (!customer.name)
          throw refuse(name, text, 'name the customer, e.g. customer="ACME <security@acme.example>".');
        facts.customers = [...(facts.customers ?? []), customer];
        break;
      }
      case 'dora-entity-type':
        if (!/^[a-z][a-z0-9-]*$/.test(value))
          throw refuse(
            name,
            text,
            'dora-entity-type is a type in lower-case words joined by -, e.g. credit-institution.',
          );
        options.doraEntityType = value;
        break;
      case 'member-state':
        // Whether a holiday calendar exists for it is checked with the other settings (checkClockOptions).
        if (!/^[A-Za-z]{2}$/.test(value))
          throw refuse(
            name,
            text,
            'member-state is the ISO 3166 alpha-2 code of a country with a public-holiday calendar, e.g. member-state=DE.',
          );
        options.memberState = value.toUpperCase();
        break;
      default:
        throw new ClockInputError(
          name,
          `--fact ${text}: "${name}" is not a fact; use one of ${FACTS.map((f) => f.name).join(', ')} (incident clocks --list explains them).`,
        );
    }
  }
  return { facts, options };
}

/** The same checks for facts that arrive already typed (an assessment recorded through the workflow). */
export function checkClockFacts(facts: ClockFacts): void {
  const whole = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (facts.people !== undefined && !whole(facts.people))
    throw new ClockInputError('people', `people: ${facts.people} is not a number of people; give a whole number.`);
  for (const [state, n] of Object.entries(facts.residents ?? {})) {
    if (!US_STATES.includes(state))
      throw new ClockInputError('residents', `residents: "${state}" is not a US state code; use CA, NY, TX…`);
    if (!whole(n))
      throw new ClockInputError(
        'residents',
        `residents: ${state}:${n} is not a number of people; give a whole number.`,
      );
  }
  if (facts.hipaaRole !== undefined && !(HIPAA_ROLES as readonly string[]).includes(facts.hipaaRole))
    throw new ClockInputError('hipaa-role', `hipaa-role: "${facts.hipaaRole}" is not ${HIPAA_ROLES.join(' or ')}.`);
  if (facts.art34Exemption !== undefined && !(ART34_EXEMPTIONS as readonly string[]).includes(facts.art34Exemption))
    throw new ClockInputError(
      'art34-exemption',
      `art34-exemption: "${facts.art34Exemption}" is not one of ${ART34_EXEMPTIONS.join(', ')}.`,
    );
}
