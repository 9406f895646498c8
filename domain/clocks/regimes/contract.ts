import { afterHours } from '../conventions';
import type { ClockFacts, ClockObligation, ClockOutcome, ContractCustomer, RegimeContext, RegimePack } from '../types';
import { instantOf, latestEvent, obligation, rule, utc } from './obligation-kit';

// Contract clocks: what the hosting provider promised each customer in its contract (a DPA's notice period
// under GDPR Art. 28(3)(f) and 33(2), or a plain service contract for project data). Each customer of the
// registry gets its own obligation, in its own zone; the others share the policy's fallback clock. Both
// count elapsed hours from awareness, the moment the provider knew.

/**
 * A contract clock has no date of its own in the registry: it binds for as long as the registry holds the
 * contract. The epoch says "no start date" rather than inventing one (the policy's or the GDPR's).
 */
const APPLIES_FROM = '1970-01-01';
const POLICY = rule('contract:policy', "the policy's customer notification clock", APPLIES_FROM);
const PER_CUSTOMER = rule(
  'contract:<customer-id>',
  "the customer's contract (contractReference in the registry)",
  APPLIES_FROM,
);
// The people the policy's deadline mails reached before the engine: a customer clock concerns all three.
const ROLES = ['cto', 'dpo', 'legal'];
const POLICY_PERSONAL_HOURS = 24;
const POLICY_PROJECT_HOURS = 72;

function normalised(text: string): string {
  return text.trim().toLowerCase();
}

/** Found by id, name or a contact address, case-insensitively: the assessment names customers loosely. */
function findCustomer(
  registry: ContractCustomer[],
  named: { name: string; email?: string },
): ContractCustomer | undefined {
  const keys = [named.name, named.email].filter((k): k is string => !!k).map(normalised);
  return registry.find((c) => [c.id, c.name, ...c.contacts].some((k) => keys.includes(normalised(k))));
}

interface Hours {
  hours: number;
  /** Why these hours: which data, and whether the contract or the policy set them. */
  because: string;
}

/** The shorter clock wins when both personal and project data are affected: both promises hold. */
function clockHours(facts: ClockFacts, personal: number, project: number, source: string): Hours {
  const candidates: Hours[] = [];
  if (facts.personalData) candidates.push({ hours: personal, because: `personal data: ${personal} h (${source})` });
  if (facts.projectData) candidates.push({ hours: project, because: `project data: ${project} h (${source})` });
  return candidates.sort((a, b) => a.hours - b.hours)[0];
}

function dataQuestion(facts: ClockFacts): string | undefined {
  if (facts.personalData === undefined && facts.projectData === undefined)
    return 'answer personal-data=yes|no and project-data=yes|no';
  if (facts.personalData || facts.projectData) return undefined;
  // One says no and the other is unanswered: the unanswered one may still start the clocks.
  if (facts.personalData === undefined) return 'answer personal-data=yes|no';
  if (facts.projectData === undefined) return 'answer project-data=yes|no';
  return undefined;
}

function evaluate(ctx: RegimeContext): ClockOutcome {
  const { facts, options } = ctx;
  const question = dataQuestion(facts);
  if (question) return { obligations: [], undecided: [{ regime: 'contract', question }] };
  // Neither personal nor project data affected: no contract promises a notice.
  if (!facts.personalData && !facts.projectData) return { obligations: [], undecided: [] };
  if (facts.customers === undefined)
    return {
      obligations: [],
      undecided: [
        {
          regime: 'contract',
          question: 'name the affected customers (in the assessment, or customer=<name> [<email>] in a what-if)',
        },
      ],
    };
  const awareness = latestEvent(ctx.events, 'awareness');
  if (!awareness) return { obligations: [], undecided: [] };
  const aware = instantOf(awareness);
  const policyPersonal = options.contractPersonalDataHours ?? POLICY_PERSONAL_HOURS;
  const policyProject = options.contractProjectDataHours ?? POLICY_PROJECT_HOURS;

  const registered = new Map<string, ContractCustomer>();
  const unregistered: string[] = [];
  for (const named of facts.customers) {
    const found = findCustomer(options.customers ?? [], named);
    if (found) registered.set(found.id, found);
    else unregistered.push(named.email ? `${named.name} <${named.email}>` : named.name);
  }

  const obligations: ClockObligation[] = [...registered.values()].map((customer) => {
    const reference = customer.contractReference
      ? `contract ${customer.contractReference}`
      : `the contract with ${customer.name}`;
    const personal = customer.personalDataHours ?? policyPersonal;
    const project = customer.projectDataHours ?? policyProject;
    const fromPolicy =
      (facts.personalData && customer.personalDataHours === undefined) ||
      (facts.projectData && customer.projectDataHours === undefined);
    const clock = clockHours(facts, personal, project, fromPolicy ? `${reference}, else the policy` : reference);
    const id = `contract:${customer.id}`;
    return obligation({
      regime: 'contract',
      title: `Notify ${customer.name} under its contract (${clock.hours} h)`,
      recipient: customer.name,
      due: afterHours(aware, clock.hours),
      zone: customer.timeZone ?? ctx.zone,
      convention: 'hours',
      rule: rule(id, fromPolicy ? `${reference}; the policy's customer notification clock` : reference, APPLIES_FROM),
      anchor: { event: 'awareness', at: aware },
      why: [`${customer.name} is in the customer registry (${id})`, clock.because, `aware at ${utc(aware)}`],
      roles: ROLES,
    });
  });

  if (unregistered.length > 0) {
    const clock = clockHours(facts, policyPersonal, policyProject, "the policy's clock");
    obligations.push(
      obligation({
        regime: 'contract',
        title: `Notify affected customers without a contract clock (${clock.hours} h)`,
        recipient: `${unregistered.length} affected customer${unregistered.length === 1 ? '' : 's'} without a contract clock in the registry`,
        due: afterHours(aware, clock.hours),
        zone: ctx.zone,
        convention: 'hours',
        rule: POLICY,
        anchor: { event: 'awareness', at: aware },
        why: [`not in the customer registry: ${unregistered.join(', ')}`, clock.because, `aware at ${utc(aware)}`],
        roles: ROLES,
      }),
    );
  }
  return { obligations, undecided: [] };
}

export const contractPack: RegimePack = {
  id: 'contract',
  title: 'Contract clocks: notice to each affected customer, from its contract or the policy',
  defaultZone: 'Europe/Paris',
  events: ['awareness'],
  facts: ['personal-data', 'project-data', 'customer'],
  rules: [PER_CUSTOMER, POLICY],
  evaluate,
};
