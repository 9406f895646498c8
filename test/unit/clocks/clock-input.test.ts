import { describe, expect, it } from 'vitest';
import { checkClockEvents, checkRegimeIds, ClockInputError } from '../../../domain/clocks/clock-input';
import { checkClockInput } from '../../../domain/clocks/request-check';
import { checkClockOptions } from '../../../domain/clocks/clock-options';
import { checkClockFacts, parseFacts } from '../../../domain/clocks/facts';
import type { ClockEvent } from '../../../domain/clocks/types';
import { AWARE, fakePack } from './fake-pack';

// The input checks refuse what cannot be right, before the engine counts anything, with a message that
// names the field as the person wrote it and says what to do.

const NOW = new Date('2026-03-10T12:00:00Z');
const PACKS = [fakePack('nis2', 'awareness', 24), fakePack('sec-8k', 'materiality-determined', 96)];
const events = (list: ClockEvent[]) => () =>
  checkClockEvents(list, { now: NOW, packs: PACKS, regimes: ['nis2', 'sec-8k'] });

/** Asserts a ClockInputError for `field`, whose message names it and says what to do. */
function refused(fn: () => unknown, field: string, hint: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClockInputError);
    expect((err as ClockInputError).field).toBe(field);
    expect((err as Error).message).toContain(field);
    expect((err as Error).message).toMatch(hint);
    return;
  }
  throw new Error(`expected ${field} to be refused`);
}

describe('input checks name the field and what to do', () => {
  it.each([
    {
      case: 'an unknown regime, listing the known ones',
      fn: () => checkRegimeIds(['gdpr'], PACKS),
      field: '--regime',
      hint: /nis2, sec-8k/,
    },
    { case: 'no regime at all', fn: () => checkRegimeIds([], PACKS), field: '--regime', hint: /at least one/ },
    {
      case: 'an unknown event, listing the events',
      fn: events([{ name: 'aware' as never, at: AWARE.at }]),
      field: 'aware',
      hint: /awareness, classified-significant/,
    },
    {
      case: 'a submission of an obligation no selected regime owes',
      fn: events([AWARE, { name: 'submitted:dora-initial', at: AWARE.at }]),
      field: 'submitted:dora-initial',
      hint: /nis2-report, sec-8k-report/,
    },
    {
      case: 'an event later than now',
      fn: events([{ name: 'awareness', at: '2026-03-11T00:00Z' }]),
      field: 'awareness',
      hint: /later than now/,
    },
    {
      case: 'an instant without an offset',
      fn: events([{ name: 'awareness', at: '2026-03-02T10:00' }]),
      field: 'awareness',
      hint: /offset/,
    },
    {
      case: '30 February',
      fn: events([{ name: 'awareness', at: '2026-02-30T10:00Z' }]),
      field: 'awareness',
      hint: /no such date/,
    },
    {
      case: 'a classification before awareness',
      fn: events([AWARE, { name: 'classified-significant', at: '2026-03-01T10:00Z' }]),
      field: 'classified-significant',
      hint: /before awareness/,
    },
    {
      case: 'a submission before awareness',
      fn: events([AWARE, { name: 'submitted:nis2-report', at: '2026-03-01T10:00Z' }]),
      field: 'submitted:nis2-report',
      hint: /before awareness/,
    },
    {
      case: 'a materiality determination without a reason',
      fn: events([AWARE, { name: 'materiality-determined', at: '2026-03-03T10:00Z', reason: ' ' }]),
      field: 'materiality-determined.reason',
      hint: /reason=/,
    },
    {
      case: 'an authority request without its deadline',
      fn: events([AWARE, { name: 'authority-request', at: '2026-03-03T10:00Z' }]),
      field: 'authority-request.due',
      hint: /due=/,
    },
    {
      case: 'an authority request due before it was made',
      fn: events([AWARE, { name: 'authority-request', at: '2026-03-03T10:00Z', dueAt: '2026-03-03T09:00Z' }]),
      field: 'authority-request.due',
      hint: /not after the request/,
    },
    {
      case: 'a delay ending before it starts',
      fn: events([
        { name: 'delay-end', at: '2026-03-03T10:00Z', regime: 'sec-8k' },
        { name: 'delay-start', at: '2026-03-04T10:00Z', regime: 'sec-8k' },
      ]),
      field: 'delay-end',
      hint: /delay-start first/,
    },
    {
      case: 'a delay ending another regime’s delay',
      fn: events([
        { name: 'delay-start', at: '2026-03-03T10:00Z', regime: 'nis2' },
        { name: 'delay-end', at: '2026-03-04T10:00Z', regime: 'sec-8k' },
      ]),
      field: 'delay-end',
      hint: /same regime/,
    },
    {
      case: 'a delay for a regime that does not exist',
      fn: events([{ name: 'delay-start', at: '2026-03-03T10:00Z', regime: 'fisa' as never }]),
      field: 'delay-start.regime',
      hint: /gdpr-art33/,
    },
    {
      case: 'a fact that does not exist',
      fn: () => parseFacts(['victims=3']),
      field: 'victims',
      hint: /people, residents/,
    },
    { case: 'people=abc', fn: () => parseFacts(['people=abc']), field: 'people', hint: /people=1200/ },
    { case: 'residents without a count', fn: () => parseFacts(['residents=CA']), field: 'residents', hint: /CA:600/ },
    {
      case: 'residents of no US state',
      fn: () => parseFacts(['residents=XX:5']),
      field: 'residents',
      hint: /state code/,
    },
    {
      case: 'hipaa-role=other',
      fn: () => parseFacts(['hipaa-role=other']),
      field: 'hipaa-role',
      hint: /covered-entity, business-associate/,
    },
    { case: 'a yes/no fact given maybe', fn: () => parseFacts(['ongoing=maybe']), field: 'ongoing', hint: /yes or no/ },
    {
      case: 'a zone that is not IANA',
      fn: () => parseFacts(['zone:nis2=Mars/Base']),
      field: 'zone:nis2',
      hint: /Europe\/Paris/,
    },
    {
      case: 'a zone for a regime that does not exist',
      fn: () => parseFacts(['zone:ccpa=America/Los_Angeles']),
      field: 'zone:ccpa',
      hint: /not a regime/,
    },
    {
      case: 'typed facts with a fractional head count',
      fn: () => checkClockFacts({ people: 2.5 }),
      field: 'people',
      hint: /whole number/,
    },
    {
      case: 'a customer contract clock of zero',
      fn: () => checkClockOptions({ customers: [{ id: 'acme', name: 'ACME', contacts: [], personalDataHours: 0 }] }),
      field: 'customers.acme.personalDataHours',
      hint: /greater than zero/,
    },
    {
      case: 'a negative fallback contract clock',
      fn: () => checkClockOptions({ contractProjectDataHours: -1 }),
      field: 'contractProjectDataHours',
      hint: /greater than zero/,
    },
    {
      case: 'a Member State with no holiday calendar',
      fn: () => checkClockOptions({ memberState: 'ZZ' }),
      field: 'memberState',
      hint: /ISO 3166/,
    },
    {
      case: 'a what-if Member State with no holiday calendar',
      // The fact's form is checked as it is read; its calendar with the other settings.
      fn: () =>
        checkClockInput(
          PACKS,
          { regimes: ['nis2'], events: [AWARE], facts: {}, options: parseFacts(['member-state=ZZ']).options },
          NOW,
        ),
      field: 'memberState',
      hint: /public-holiday calendar/,
    },
    {
      case: 'a zone map naming no regime',
      fn: () => checkClockOptions({ zones: { ccpa: 'UTC' } as never }),
      field: 'zones.ccpa',
      hint: /not a regime/,
    },
  ])('refuses $case', ({ fn, field, hint }) => refused(fn, field, hint));

  it('accepts what may precede awareness, and normalises instants to UTC', () => {
    const ok = events([
      AWARE,
      { name: 'discovered', at: '2026-02-20T00:00Z' },
      { name: 'delay-start', at: '2026-02-25T00:00+01:00' },
      { name: 'materiality-determined', at: '2026-03-04T17:00-05:00', reason: 'board vote' },
      { name: 'authority-request', at: '2026-03-05T10:00Z', dueAt: '2026-03-06T10:00Z', regime: 'nis2' },
      { name: 'submitted:contract:acme', at: '2026-03-05T10:00Z' },
      { name: 'delay-end', at: '2026-03-06T00:00Z' },
    ])();
    expect(ok.map((e) => e.at)).toEqual([
      '2026-03-02T10:00:00.000Z',
      '2026-02-20T00:00:00.000Z',
      '2026-02-24T23:00:00.000Z',
      '2026-03-04T22:00:00.000Z',
      '2026-03-05T10:00:00.000Z',
      '2026-03-05T10:00:00.000Z',
      '2026-03-06T00:00:00.000Z',
    ]);
  });

  it('checks the whole request the engine will read', () => {
    const input = { regimes: ['nis2' as const], events: [AWARE], facts: {}, options: { memberState: 'FR' } };
    expect(checkClockInput(PACKS, input, NOW).events).toEqual([{ name: 'awareness', at: '2026-03-02T10:00:00.000Z' }]);
  });
});

describe('parseFacts', () => {
  it('reads every fact form into facts and what-if options', () => {
    const parsed = parseFacts([
      'people=1200',
      'residents=CA:600',
      'residents=ny:20',
      'hipaa-role=business-associate',
      'trust-service-provider=yes',
      'ongoing=no',
      'personal-data=yes',
      'project-data=no',
      'risk=yes',
      'high-risk=no',
      'art34-exemption=encrypted',
      'customer=ACME <security@acme.example>',
      'zone:nis2=Europe/Berlin',
      'dora-entity-type=payment-institution',
      'member-state=de',
    ]);
    expect(parsed).toEqual({
      facts: {
        people: 1200,
        residents: { CA: 600, NY: 20 },
        hipaaRole: 'business-associate',
        trustServiceProvider: true,
        ongoing: false,
        personalData: true,
        projectData: false,
        riskToPeople: true,
        highRisk: false,
        art34Exemption: 'encrypted',
        customers: [{ name: 'ACME', email: 'security@acme.example' }],
      },
      options: { zones: { nis2: 'Europe/Berlin' }, doraEntityType: 'payment-institution', memberState: 'DE' },
    });
  });
});
