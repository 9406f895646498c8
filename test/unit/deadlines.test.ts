import { describe, expect, it } from 'vitest';
import {
  describeTimeLeft,
  dueAfterHours,
  dueNotices,
  isOverdue,
  nextNoticeAt,
  type Notice,
} from '../../domain/deadlines';
import type { Obligation } from '../../domain/incident';
import {
  customerNoticeHours,
  earliestOpenDeadline,
  lawEnforcementObligation,
  markMet,
  needsLateReason,
  obligationsForAssessment,
  rfoObligation,
} from '../../domain/obligations';
import { defaultPolicy, policySchema } from '../../domain/policy-schema';
import { formatInZone } from '../../domain/time-format';
import { HOUR, MINUTE, at, incidentState, personalDataAssessment, plusHours } from './builders';

const policy = defaultPolicy();
const PARIS = 'Europe/Paris';

function byId(obligations: Obligation[], id: string): Obligation {
  const ob = obligations.find((o) => o.id === id);
  if (!ob) throw new Error(`no obligation ${id} among ${obligations.map((o) => o.id).join(', ')}`);
  return ob;
}

describe('legal deadlines count from awareness, not from opening', () => {
  it('an incident known at 10:00 Paris but opened at 16:00 owes customers by 11:00 the next day and the CNIL three days later', () => {
    const s = incidentState({ awareAt: '2026-03-28T09:00:00.000Z' }, '2026-03-28T15:00:00.000Z');
    const obligations = obligationsForAssessment(s, personalDataAssessment(), policy);

    const customers = byId(obligations, 'notify-customers');
    expect(customers.title).toBe('Notify affected customers of the personal data breach (24 h)');
    expect(customers.owedTo).toBe('1 affected customer contact(s)');
    expect(customers.dueAt).toBe('2026-03-29T09:00:00.000Z');
    expect(customers.status).toBe('pending');

    const regulator = byId(obligations, 'notify-regulator');
    expect(regulator.title).toBe('Notify the CNIL (GDPR Art. 33, 72 h)');
    expect(regulator.owedTo).toBe('CNIL');
    expect(regulator.dueAt).toBe('2026-03-31T09:00:00.000Z');

    // Nothing is counted from openedAt (15:00Z): that would give 2026-03-29T15:00Z.
    expect(obligations.map((o) => o.dueAt)).not.toContain('2026-03-29T15:00:00.000Z');
  });

  it('a malicious intrusion owes law enforcement 72 h from awareness; a denial of service does not', () => {
    const intrusion = incidentState(
      { category: 'intrusion', awareAt: '2026-05-10T22:30:00.000Z' },
      '2026-05-11T08:00:00.000Z',
    );
    const ob = lawEnforcementObligation(intrusion, policy);
    expect(ob?.kind).toBe('inform-law-enforcement');
    expect(ob?.dueAt).toBe('2026-05-13T22:30:00.000Z');

    expect(lawEnforcementObligation(incidentState({ category: 'denial-of-service' }), policy)).toBeUndefined();
  });

  it('a Reason-for-Outage request is due 120 h after the customer asked', () => {
    const ob = rfoObligation('r1', 'Acme Corp', '2026-06-01T08:00:00.000Z', policy);
    expect(ob.id).toBe('send-rfo-r1');
    expect(ob.title).toBe('Send the Reason-for-Outage report to Acme Corp');
    expect(ob.dueAt).toBe('2026-06-06T08:00:00.000Z');
  });
});

describe('24 h and 72 h are elapsed hours across daylight-saving changes (Europe/Paris)', () => {
  it('spring forward: aware 10:00 CET on 28 March, the 24 h deadline reads 11:00 CEST on 29 March', () => {
    const aware = '2026-03-28T09:00:00.000Z';
    expect(formatInZone(aware, PARIS)).toBe('2026-03-28 10:00 UTC+01:00 (Europe/Paris)');

    const due24 = dueAfterHours(aware, 24);
    expect(due24).toBe('2026-03-29T09:00:00.000Z');
    expect(Date.parse(due24) - Date.parse(aware)).toBe(24 * HOUR);
    expect(formatInZone(due24, PARIS)).toBe('2026-03-29 11:00 UTC+02:00 (Europe/Paris)');

    const due72 = dueAfterHours(aware, 72);
    expect(due72).toBe('2026-03-31T09:00:00.000Z');
    expect(formatInZone(due72, PARIS)).toBe('2026-03-31 11:00 UTC+02:00 (Europe/Paris)');
  });

  it('fall back: aware 10:00 CEST on 24 October, the 24 h deadline reads 09:00 CET on 25 October', () => {
    const aware = '2026-10-24T08:00:00.000Z';
    expect(formatInZone(aware, PARIS)).toBe('2026-10-24 10:00 UTC+02:00 (Europe/Paris)');

    const due24 = dueAfterHours(aware, 24);
    expect(due24).toBe('2026-10-25T08:00:00.000Z');
    expect(formatInZone(due24, PARIS)).toBe('2026-10-25 09:00 UTC+01:00 (Europe/Paris)');

    const due72 = dueAfterHours(aware, 72);
    expect(due72).toBe('2026-10-27T08:00:00.000Z');
    expect(formatInZone(due72, PARIS)).toBe('2026-10-27 09:00 UTC+01:00 (Europe/Paris)');
  });

  it('awareness during the repeated hour (02:30 CEST, before clocks go back) still gives exactly 24 h', () => {
    const aware = '2026-10-25T00:30:00.000Z';
    expect(formatInZone(aware, PARIS)).toBe('2026-10-25 02:30 UTC+02:00 (Europe/Paris)');
    expect(formatInZone(dueAfterHours(aware, 24), PARIS)).toBe('2026-10-26 01:30 UTC+01:00 (Europe/Paris)');
  });

  it('the same instant printed for an auditor in UTC carries an explicit +00:00 offset', () => {
    expect(formatInZone('2026-03-29T09:00:00.000Z', 'UTC')).toBe('2026-03-29 09:00 UTC+00:00 (UTC)');
  });
});

describe('calendar edges', () => {
  it('leap day: 2028-02-28 12:00Z + 24 h is 29 February, + 72 h is 2 March', () => {
    expect(dueAfterHours('2028-02-28T12:00:00Z', 24)).toBe('2028-02-29T12:00:00.000Z');
    expect(dueAfterHours('2028-02-28T12:00:00Z', 72)).toBe('2028-03-02T12:00:00.000Z');
  });

  it('no leap day in 2027: 2027-02-28 12:00Z + 24 h is 1 March', () => {
    expect(dueAfterHours('2027-02-28T12:00:00Z', 24)).toBe('2027-03-01T12:00:00.000Z');
  });

  it('month end: 2026-01-31 20:00Z + 72 h is 2026-02-03 20:00Z', () => {
    expect(dueAfterHours('2026-01-31T20:00:00Z', 72)).toBe('2026-02-03T20:00:00.000Z');
  });

  it('year end: 2026-12-31 22:00Z + 24 h is 2027-01-01 22:00Z', () => {
    expect(dueAfterHours('2026-12-31T22:00:00Z', 24)).toBe('2027-01-01T22:00:00.000Z');
  });
});

describe('customer notice period by data impact', () => {
  it('24 h for personal data and for both, 72 h for project data, none when no data is hit', () => {
    expect(customerNoticeHours({ dataImpact: 'personal' }, policy)).toBe(24);
    expect(customerNoticeHours({ dataImpact: 'both' }, policy)).toBe(24);
    expect(customerNoticeHours({ dataImpact: 'project' }, policy)).toBe(72);
    expect(customerNoticeHours({ dataImpact: 'none' }, policy)).toBeUndefined();
  });

  it('follows the policy when the deployment shortens the personal-data period', () => {
    const strict = policySchema.parse({ customerPersonalDataHours: 12 });
    expect(customerNoticeHours({ dataImpact: 'both' }, strict)).toBe(12);
    expect(customerNoticeHours({ dataImpact: 'project' }, strict)).toBe(72);
  });

  it('a project-data breach opens a 72 h customer obligation titled for project data', () => {
    const s = incidentState({ awareAt: '2026-01-31T20:00:00.000Z' });
    const [ob] = obligationsForAssessment(
      s,
      personalDataAssessment({ dataImpact: 'project', regulatorRequired: false }),
      policy,
    );
    expect(ob.title).toBe('Notify affected customers of the project data breach (72 h)');
    expect(ob.dueAt).toBe('2026-02-03T20:00:00.000Z');
  });

  it('no data hit and no regulator filing: no obligation at all', () => {
    const s = incidentState();
    expect(
      obligationsForAssessment(
        s,
        personalDataAssessment({ dataImpact: 'none', customers: [], regulatorRequired: false }),
        policy,
      ),
    ).toEqual([]);
  });

  it('the earliest open deadline is the customer one until it is met, then the regulator one', () => {
    const s = incidentState();
    const obligations = obligationsForAssessment(s, personalDataAssessment(), policy);
    expect(earliestOpenDeadline(obligations)).toBe('2026-03-29T09:00:00.000Z');
    markMet(byId(obligations, 'notify-customers'), '2026-03-29T08:00:00.000Z', 'carol', ['message-id <a@b>']);
    expect(earliestOpenDeadline(obligations)).toBe('2026-03-31T09:00:00.000Z');
  });
});

describe('reminder and overdue notices', () => {
  // The CNIL notification of the incident above: due 2026-03-31T09:00Z.
  const DUE = '2026-03-31T09:00:00.000Z';
  const regulatorObligation = (): Obligation =>
    byId(obligationsForAssessment(incidentState(), personalDataAssessment(), policy), 'notify-regulator');

  /** What the workflow does with dueNotices: record skipped keys and the sent key. */
  function tick(ob: Obligation, now: Date): Notice | undefined {
    const { send, skip } = dueNotices(ob, policy, now);
    ob.noticesSent.push(...skip, ...(send ? [send.key] : []));
    return send;
  }

  it('nothing is owed 13 h before the deadline; the first reminder is scheduled 12 h before', () => {
    const ob = regulatorObligation();
    expect(dueNotices(ob, policy, plusHours(DUE, -13))).toEqual({ skip: [] });
    expect(nextNoticeAt(ob, policy, plusHours(DUE, -13))?.toISOString()).toBe('2026-03-30T21:00:00.000Z');
  });

  it('a clock that wakes at each scheduled time sends reminders at due −12 h, −4 h, −1 h, then overdue at due and every 4 h', () => {
    const ob = regulatorObligation();
    const sent: { key: string; at: string; kind: string; hours: number }[] = [];
    let now = at('2026-03-28T15:00:00.000Z'); // when the obligation was opened
    const stop = plusHours(DUE, 9).getTime();
    for (let i = 0; i < 20 && now.getTime() <= stop; i++) {
      const n = tick(ob, now);
      if (n) sent.push({ key: n.key, at: now.toISOString(), kind: n.kind, hours: n.hours });
      now = nextNoticeAt(ob, policy, now)!;
    }
    expect(sent).toEqual([
      { key: 'reminder-12h', at: '2026-03-30T21:00:00.000Z', kind: 'reminder', hours: 12 },
      { key: 'reminder-4h', at: '2026-03-31T05:00:00.000Z', kind: 'reminder', hours: 4 },
      { key: 'reminder-1h', at: '2026-03-31T08:00:00.000Z', kind: 'reminder', hours: 1 },
      { key: 'overdue-0', at: '2026-03-31T09:00:00.000Z', kind: 'overdue', hours: 0 },
      { key: 'overdue-1', at: '2026-03-31T13:00:00.000Z', kind: 'overdue', hours: 4 },
      { key: 'overdue-2', at: '2026-03-31T17:00:00.000Z', kind: 'overdue', hours: 8 },
    ]);
  });

  it('after the last reminder the next wake-up is the deadline itself, and after it the next 4 h step', () => {
    const ob = regulatorObligation();
    ob.noticesSent.push('reminder-12h', 'reminder-4h', 'reminder-1h');
    expect(nextNoticeAt(ob, policy, plusHours(DUE, -0.5))?.toISOString()).toBe(DUE);
    expect(nextNoticeAt(ob, policy, at(DUE))?.toISOString()).toBe('2026-03-31T13:00:00.000Z');
    expect(nextNoticeAt(ob, policy, plusHours(DUE, 5))?.toISOString()).toBe('2026-03-31T17:00:00.000Z');
  });

  it('a notice already sent is not sent again at the same moment', () => {
    const ob = regulatorObligation();
    expect(tick(ob, plusHours(DUE, -4))?.key).toBe('reminder-4h');
    expect(dueNotices(ob, policy, plusHours(DUE, -3))).toEqual({ skip: [] });
  });

  it('an obligation opened 3 h before its deadline gets only the "4 h" reminder; the 12 h one is skipped for good', () => {
    const ob = regulatorObligation();
    const { send, skip } = dueNotices(ob, policy, plusHours(DUE, -3));
    expect(send).toEqual({ key: 'reminder-4h', kind: 'reminder', at: '2026-03-31T05:00:00.000Z', hours: 4 });
    expect(skip).toEqual(['reminder-12h']);
    tick(ob, plusHours(DUE, -3));
    expect(ob.noticesSent).toEqual(['reminder-12h', 'reminder-4h']);
    expect(nextNoticeAt(ob, policy, plusHours(DUE, -3))?.toISOString()).toBe('2026-03-31T08:00:00.000Z');
  });

  it('a clock that first wakes 9 h after the deadline sends one overdue notice and skips the five stale ones', () => {
    const ob = regulatorObligation();
    const { send, skip } = dueNotices(ob, policy, plusHours(DUE, 9));
    expect(send).toEqual({ key: 'overdue-2', kind: 'overdue', at: '2026-03-31T17:00:00.000Z', hours: 8 });
    expect(skip).toEqual(['reminder-12h', 'reminder-4h', 'reminder-1h', 'overdue-0', 'overdue-1']);
  });

  it('met and waived obligations send nothing and schedule nothing, even long overdue', () => {
    const met = regulatorObligation();
    markMet(met, '2026-03-30T10:00:00.000Z', 'dpo-bob', ['CNIL filing 2026-0042']);
    const waived = regulatorObligation();
    waived.status = 'waived';
    waived.waivedReason = 'Data was encrypted; no risk to people';
    for (const ob of [met, waived]) {
      expect(dueNotices(ob, policy, plusHours(DUE, -1))).toEqual({ skip: [] });
      expect(dueNotices(ob, policy, plusHours(DUE, 30))).toEqual({ skip: [] });
      expect(nextNoticeAt(ob, policy, plusHours(DUE, -20))).toBeUndefined();
      expect(isOverdue(ob, plusHours(DUE, 30))).toBe(false);
    }
  });

  it('a policy with reminders at 24 h and 2 h and overdue repeats every hour is followed', () => {
    const custom = policySchema.parse({ reminderOffsetsHours: [2, 24], overdueRepeatHours: 1 });
    const ob = regulatorObligation();
    expect(dueNotices(ob, custom, plusHours(DUE, -24)).send?.key).toBe('reminder-24h');
    expect(nextNoticeAt(ob, custom, plusHours(DUE, -24))?.toISOString()).toBe('2026-03-31T07:00:00.000Z');
    expect(nextNoticeAt(ob, custom, plusHours(DUE, 0.5))?.toISOString()).toBe('2026-03-31T10:00:00.000Z');
  });

  it('the deadline instant itself is overdue; filing one minute after it needs a reason for the delay', () => {
    const ob = regulatorObligation();
    expect(isOverdue(ob, plusHours(DUE, -1 / 60))).toBe(false);
    expect(isOverdue(ob, at(DUE))).toBe(true);
    expect(needsLateReason(ob, at(DUE))).toBe(false);
    expect(needsLateReason(ob, new Date(Date.parse(DUE) + MINUTE))).toBe(true);
  });
});

describe('describeTimeLeft', () => {
  const DUE = '2026-03-31T09:00:00.000Z';
  const before = (minutes: number) => new Date(Date.parse(DUE) - minutes * MINUTE);

  it('formats time left as a person reads it', () => {
    expect(describeTimeLeft(DUE, before(200))).toBe('3 h 20 min left');
    expect(describeTimeLeft(DUE, before(65))).toBe('1 h 05 min left');
    expect(describeTimeLeft(DUE, before(45))).toBe('45 min left');
    expect(describeTimeLeft(DUE, before(72 * 60))).toBe('3 d 0 h left');
    expect(describeTimeLeft(DUE, before(26 * 60 + 30))).toBe('1 d 2 h left');
  });

  it('formats lateness as "overdue by"', () => {
    expect(describeTimeLeft(DUE, before(-125))).toBe('overdue by 2 h 05 min');
    expect(describeTimeLeft(DUE, before(-7))).toBe('overdue by 7 min');
    expect(describeTimeLeft(DUE, before(-(50 * 60)))).toBe('overdue by 2 d 2 h');
  });

  it('does not report time left once the deadline has passed by a few seconds', () => {
    // The first overdue notice is sent at the deadline; a timer firing a moment late must not tell
    // leadership that time is left.
    const thirtySecondsLate = new Date(Date.parse(DUE) + 30_000);
    expect(describeTimeLeft(DUE, thirtySecondsLate)).not.toMatch(/left$/);
    expect(describeTimeLeft(DUE, thirtySecondsLate)).toMatch(/^overdue by/);
  });
});
