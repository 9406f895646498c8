import { describe, expect, it } from 'vitest';
import { contractPack } from '../../../domain/clocks/regimes/contract';
import type { ClockFacts, ClockOptions, ContractCustomer } from '../../../domain/clocks/types';
import { ctx, ev, ids, only, questions } from './eu-context';

// Contract clocks: each registry customer's contract, else the policy's 24 h / 72 h, from awareness.
const AWARE = [ev('awareness', '2026-03-10T08:00:00.000Z')];
const ACME: ContractCustomer = {
  id: 'acme',
  name: 'Acme SA',
  contacts: ['security@acme.example'],
  timeZone: 'America/New_York',
  personalDataHours: 12,
  contractReference: 'MSA-2024-017',
};
const BETA: ContractCustomer = { id: 'beta', name: 'Beta SARL', contacts: ['dpo@beta.example'], projectDataHours: 48 };
const GAMMA: ContractCustomer = {
  id: 'gamma',
  name: 'Gamma',
  contacts: [],
  personalDataHours: 24,
  projectDataHours: 8,
  contractReference: 'DPA-7',
};
const REGISTRY: ClockOptions = { customers: [ACME, BETA, GAMMA] };
const PERSONAL: ClockFacts = { personalData: true, projectData: false };
const BOTH: ClockFacts = { personalData: true, projectData: true };

describe('contract clocks per customer', () => {
  it.each([
    {
      cite: 'contract MSA-2024-017: a registry customer with a 12 h personal-data clock',
      facts: { ...PERSONAL, customers: [{ name: 'ACME sa' }] },
      options: REGISTRY,
      id: 'contract:acme',
      due: '2026-03-10T20:00:00.000Z',
      citation: 'contract MSA-2024-017',
    },
    {
      cite: "the policy's customer notification clock: a customer outside the registry, 24 h",
      facts: { ...PERSONAL, customers: [{ name: 'Delta' }] },
      options: REGISTRY,
      id: 'contract:policy',
      due: '2026-03-11T08:00:00.000Z',
      citation: "the policy's customer notification clock",
    },
    {
      cite: 'contract MSA-2024-017: found by a contact address; personal+project → the shorter 12 h',
      facts: { ...BOTH, customers: [{ name: 'Acme security team', email: 'Security@Acme.example' }] },
      options: REGISTRY,
      id: 'contract:acme',
      due: '2026-03-10T20:00:00.000Z',
      citation: "contract MSA-2024-017; the policy's customer notification clock",
    },
    {
      cite: 'contract DPA-7: personal 24 h and project 8 h → the shorter, 8 h',
      facts: { ...BOTH, customers: [{ name: 'gamma' }] },
      options: REGISTRY,
      id: 'contract:gamma',
      due: '2026-03-10T16:00:00.000Z',
      citation: 'contract DPA-7',
    },
    {
      cite: 'the contract with Beta SARL (no reference): project data 48 h, no policy fallback needed',
      facts: { personalData: false, projectData: true, customers: [{ name: 'Beta SARL' }] },
      options: REGISTRY,
      id: 'contract:beta',
      due: '2026-03-12T08:00:00.000Z',
      citation: 'the contract with Beta SARL',
    },
    {
      cite: "the contract with Beta SARL: personal data unset in the contract → the policy's 24 h, shorter than 48 h",
      facts: { ...BOTH, customers: [{ name: 'beta' }] },
      options: REGISTRY,
      id: 'contract:beta',
      due: '2026-03-11T08:00:00.000Z',
      citation: "the contract with Beta SARL; the policy's customer notification clock",
    },
    {
      cite: "the policy's customer notification clock: both kinds of data → the shorter 24 h",
      facts: { ...BOTH, customers: [{ name: 'Delta' }] },
      options: REGISTRY,
      id: 'contract:policy',
      due: '2026-03-11T08:00:00.000Z',
      citation: "the policy's customer notification clock",
    },
    {
      cite: "the policy's customer notification clock: project data only, 72 h",
      facts: { personalData: false, projectData: true, customers: [{ name: 'Delta' }] },
      options: REGISTRY,
      id: 'contract:policy',
      due: '2026-03-13T08:00:00.000Z',
      citation: "the policy's customer notification clock",
    },
    {
      cite: "the policy's customer notification clock as configured (36 h)",
      facts: { ...PERSONAL, customers: [{ name: 'Delta' }] },
      options: { ...REGISTRY, contractPersonalDataHours: 36 },
      id: 'contract:policy',
      due: '2026-03-11T20:00:00.000Z',
      citation: "the policy's customer notification clock",
    },
  ])('$cite', ({ facts, options, id, due, citation }) => {
    const found = only(contractPack.evaluate(ctx(AWARE, facts, options)), id);
    expect(found.dueAt).toBe(due);
    expect(found.rule).toMatchObject({ id, citation, appliesFrom: '1970-01-01' });
    expect(found).toMatchObject({ regime: 'contract', convention: 'hours', roles: ['cto', 'dpo', 'legal'] });
    expect(found.anchor).toEqual({ event: 'awareness', at: AWARE[0].at });
  });

  it("contract MSA-2024-017: the customer's own zone and name; unregistered customers share one policy clock", () => {
    const outcome = contractPack.evaluate(
      ctx(
        AWARE,
        {
          ...PERSONAL,
          customers: [{ name: 'Acme SA' }, { name: 'Delta' }, { name: 'Epsilon', email: 'it@epsilon.example' }],
        },
        REGISTRY,
      ),
    );
    expect(ids(outcome)).toEqual(['contract:acme', 'contract:policy']);
    expect(only(outcome, 'contract:acme')).toMatchObject({ recipient: 'Acme SA', zone: 'America/New_York' });
    const policy = only(outcome, 'contract:policy');
    expect(policy.recipient).toBe('2 affected customers without a contract clock in the registry');
    expect(policy.zone).toBe('Europe/Paris');
    expect(policy.why.join(' ')).toMatch(/Delta, Epsilon <it@epsilon\.example>/);
  });

  it('contract MSA-2024-017: a customer named twice (by name and by address) gets one obligation', () => {
    const customers = [{ name: 'acme' }, { name: 'Acme', email: 'security@acme.example' }];
    expect(ids(contractPack.evaluate(ctx(AWARE, { ...PERSONAL, customers }, REGISTRY)))).toEqual(['contract:acme']);
  });
});

describe('contract clocks: what decides them', () => {
  it.each([
    {
      cite: 'contract clocks: which data is affected is unanswered → undecided',
      facts: { customers: [{ name: 'Acme SA' }] },
      asked: ['answer personal-data=yes|no and project-data=yes|no'],
    },
    {
      cite: 'contract clocks: no personal data, project data unanswered → undecided',
      facts: { personalData: false, customers: [{ name: 'Acme SA' }] },
      asked: ['answer project-data=yes|no'],
    },
    {
      cite: 'contract clocks: neither personal nor project data → nothing owed',
      facts: { personalData: false, projectData: false, customers: [{ name: 'Acme SA' }] },
      asked: [],
    },
    {
      cite: 'contract clocks: affected customers not named → undecided',
      facts: PERSONAL,
      asked: ['name the affected customers (in the assessment, or customer=<name> [<email>] in a what-if)'],
    },
    { cite: 'contract clocks: no customer affected → nothing owed', facts: { ...PERSONAL, customers: [] }, asked: [] },
  ])('$cite', ({ facts, asked }) => {
    const outcome = contractPack.evaluate(ctx(AWARE, facts as ClockFacts, REGISTRY));
    expect(outcome.obligations).toEqual([]);
    expect(questions(outcome)).toEqual(asked);
  });
});
