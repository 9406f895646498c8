import { endOfCalendarDays } from '../conventions';
import type {
  ClockObligation,
  ClockOutcome,
  ContractCustomer,
  RegimeContext,
  RegimePack,
  RuleRef,
  UndecidedClock,
} from '../types';
import { delaysFor, findCustomer, lastDayOfYear, latestEvent, obligation, pausedTiming, rule } from './us-pack-kit';
import type { Delay } from './us-pack-kit';

// HIPAA Breach Notification Rule, 45 CFR 164.400-414, as amended by the 2013 Omnibus Rule (78 FR 5566).
// Every clock counts calendar days from discovery (164.404(a)(2), 164.410(a)(2)) in the rule's zone, and
// a law-enforcement delay stops them all (164.412).

const APPLIES_FROM = '2009-09-23';
const VERSION = '2013-03-26';
const ref = (id: string, citation: string) => rule(id, citation, APPLIES_FROM, VERSION);
const INDIVIDUALS = ref('hipaa-individuals', '45 CFR 164.404(a)(1) and (b)');
const HHS_LARGE = ref('hipaa-hhs', '45 CFR 164.408(a) and (b)');
const HHS_SMALL = ref('hipaa-hhs', '45 CFR 164.408(c)');
const MEDIA = ref('hipaa-media', '45 CFR 164.406(a) and (b)');
const COVERED_ENTITY = ref('hipaa-covered-entity', '45 CFR 164.410(a)(1) and (b)');
const ROLES = ['legal', 'dpo'];
const DAYS = 60;
/** 164.408(b): "500 or more"; 164.406(a): "more than 500 residents of a State". */
const HHS_THRESHOLD = 500;
const MEDIA_THRESHOLD = 500;

interface Clock {
  id: string;
  rule: RuleRef;
  title: string;
  recipient: string;
  /** The undelayed due instant and the instant from which a delay can stop it. */
  due: Date;
  countsFrom: Date;
  why: string[];
}

function build(ctx: RegimeContext, discovered: { at: string }, delays: Delay[], c: Clock): ClockObligation {
  const timing = pausedTiming(c.countsFrom, c.due, 'calendar-days', delays, '45 CFR 164.412');
  return obligation({
    regime: 'hipaa',
    obligation: c.id,
    title: c.title,
    recipient: c.recipient,
    due: timing.due,
    zone: ctx.zone,
    convention: timing.convention,
    rule: c.rule,
    anchor: { event: 'discovered', at: discovered.at },
    why: [`the breach was discovered on ${discovered.at} (45 CFR 164.404(a)(2))`, ...c.why, ...timing.why],
    roles: ROLES,
    pausedUntilDelayEnd: timing.pausedUntilDelayEnd,
  });
}

/** The covered entity's own clocks: individuals, HHS, and the media per state. */
function coveredEntity(ctx: RegimeContext, at: Date): { clocks: Clock[]; undecided: UndecidedClock[] } {
  const { people, residents } = ctx.facts;
  const sixty = endOfCalendarDays(at, DAYS, ctx.zone);
  const clocks: Clock[] = [
    {
      id: INDIVIDUALS.id,
      rule: INDIVIDUALS,
      title: 'Notify the affected individuals of the breach (HIPAA, 60 days)',
      recipient: 'affected individuals',
      due: sixty,
      countsFrom: at,
      why: ['a covered entity tells each individual within 60 calendar days of discovery'],
    },
  ];
  const undecided: UndecidedClock[] = [];
  if (people === undefined) {
    undecided.push({ regime: 'hipaa', obligation: 'hipaa-hhs', question: 'answer people=<n>' });
  } else if (people >= HHS_THRESHOLD) {
    clocks.push({
      id: HHS_LARGE.id,
      rule: HHS_LARGE,
      title: 'Notify HHS of the breach (500 or more individuals, 60 days)',
      recipient: 'HHS OCR',
      due: sixty,
      countsFrom: at,
      why: [`${people} individuals affected (500 or more): HHS is told at the same time as the individuals`],
    });
  } else {
    const yearEnd = lastDayOfYear(at, ctx.zone);
    clocks.push({
      id: HHS_SMALL.id,
      rule: HHS_SMALL,
      title: "Log the breach with HHS (fewer than 500 individuals, 60 days after the year's end)",
      recipient: 'HHS OCR',
      due: endOfCalendarDays(yearEnd, DAYS, ctx.zone),
      // A delay over before the year ended held nothing back: only delays in force after it count.
      countsFrom: yearEnd,
      why: [
        `${people} individuals affected (fewer than 500): due 60 days after the end of the calendar year of ` +
          `discovery (31 Dec ${yearEnd.toISOString().slice(0, 4)})`,
      ],
    });
  }
  if (residents === undefined) {
    // No state can exceed 500 residents when 500 or fewer people are affected in all.
    if (people === undefined || people > MEDIA_THRESHOLD)
      undecided.push({ regime: 'hipaa', obligation: 'hipaa-media', question: 'answer residents=<state>:<n>' });
  } else {
    // One notice per state, each with a stable id (hipaa-media:CA), like contract:<customer-id>, so that
    // recording a second state later never renames the first.
    for (const [state, n] of Object.entries(residents).sort(([a], [b]) => a.localeCompare(b))) {
      if (n <= MEDIA_THRESHOLD) continue;
      const code = state.toUpperCase();
      clocks.push({
        id: `${MEDIA.id}:${code}`,
        rule: MEDIA,
        title: `Notify prominent media outlets serving ${code} (more than 500 residents, 60 days)`,
        recipient: `prominent media outlets in ${code}`,
        due: sixty,
        countsFrom: at,
        why: [`${n} residents of ${code} affected (more than 500)`],
      });
    }
  }
  return { clocks, undecided };
}

/**
 * A business associate tells each covered entity it serves. A customer of the registry with BAA days is
 * such a covered entity, and its BAA may only shorten the 60 days (the regulation's limit still binds);
 * without any, one notice to "the covered entity" at the regulation's limit.
 */
function businessAssociate(ctx: RegimeContext, at: Date): Clock[] {
  const registry = ctx.options.customers ?? [];
  const withBaa = new Map<string, ContractCustomer>();
  for (const named of ctx.facts.customers ?? []) {
    const c = findCustomer(registry, named);
    if (c?.baaDays !== undefined) withBaa.set(c.id, c);
  }
  const base = { rule: COVERED_ENTITY, countsFrom: at };
  if (withBaa.size === 0)
    return [
      {
        ...base,
        id: COVERED_ENTITY.id,
        title: 'Notify the covered entity of the breach (HIPAA business associate, 60 days)',
        recipient: 'the covered entity',
        due: endOfCalendarDays(at, DAYS, ctx.zone),
        why: ['a business associate tells the covered entity within 60 calendar days of discovery'],
      },
    ];
  return [...withBaa.values()].map((c) => {
    const days = Math.min(DAYS, c.baaDays ?? DAYS);
    const contract = c.contractReference ? ` (${c.contractReference})` : '';
    return {
      ...base,
      id: `${COVERED_ENTITY.id}:${c.id}`,
      title: `Notify ${c.name} of the breach (HIPAA business associate, ${days} days)`,
      recipient: c.name,
      due: endOfCalendarDays(at, days, ctx.zone),
      why: [
        `${c.name} is a covered entity served under a business associate agreement${contract} of ` +
          `${c.baaDays} days; the earlier of it and the regulation's 60 days binds: ${days} calendar days`,
      ],
    };
  });
}

function evaluate(ctx: RegimeContext): ClockOutcome {
  const discovered = latestEvent(ctx.events, 'discovered');
  if (!discovered) return { obligations: [], undecided: [] };
  const role = ctx.facts.hipaaRole;
  if (role === undefined)
    return {
      obligations: [],
      undecided: [{ regime: 'hipaa', question: 'answer hipaa-role=covered-entity|business-associate' }],
    };
  const at = new Date(discovered.at);
  const delays = delaysFor(ctx.events, 'hipaa');
  const { clocks, undecided } =
    role === 'covered-entity' ? coveredEntity(ctx, at) : { clocks: businessAssociate(ctx, at), undecided: [] };
  return { obligations: clocks.map((c) => build(ctx, discovered, delays, c)), undecided };
}

export const hipaaPack: RegimePack = {
  id: 'hipaa',
  title: 'HIPAA Breach Notification Rule (45 CFR 164.400-414)',
  defaultZone: 'America/New_York',
  events: ['discovered', 'delay-start', 'delay-end'],
  facts: ['hipaa-role', 'people', 'residents'],
  rules: [INDIVIDUALS, HHS_LARGE, HHS_SMALL, MEDIA, COVERED_ENTITY],
  evaluate,
};
