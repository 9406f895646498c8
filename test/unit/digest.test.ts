import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { digestActivities } from '../../activities/digest';
import { digestEntries, digestMail, type DigestIncident } from '../../domain/digest';
import type { Obligation } from '../../domain/incident';
import { parseConfig } from '../../platform/config/schema';
import { digestScheduleOptions } from '../../worker/digest-schedule';

// The daily digest as leadership reads it: every open obligation, the most urgent first, and no mail at
// all on a day nothing is open.

const NOW = new Date('2026-12-03T07:00:00Z'); // 08:00 in Paris

function obligation(over: Partial<Obligation> & Pick<Obligation, 'id' | 'title' | 'dueAt'>): Obligation {
  return {
    kind: 'notify-regulator',
    owedTo: 'CNIL',
    status: 'pending',
    proof: [],
    noticesSent: [],
    deliveryFailures: [],
    ...over,
  } as Obligation;
}

const incidents: DigestIncident[] = [
  {
    incidentId: 'INC-2',
    title: 'Ransomware on files-01',
    severity: 'SEV1',
    obligations: [
      obligation({ id: 'regulator', title: 'Notify the CNIL', dueAt: '2026-12-05T10:00:00.000Z' }),
      obligation({
        id: 'customers',
        title: 'Notify affected customers',
        owedTo: 'affected customers',
        dueAt: '2026-12-03T09:30:00.000Z',
      }),
      obligation({ id: 'met', title: 'Already done', dueAt: '2026-12-01T00:00:00.000Z', status: 'met' }),
    ],
  },
  {
    incidentId: 'INC-1',
    title: 'Phishing',
    severity: 'SEV2',
    obligations: [
      obligation({ id: 'rfo', title: 'Send the RFO to Acme', owedTo: 'Acme', dueAt: '2026-12-03T04:55:00.000Z' }),
      obligation({ id: 'waived', title: 'Waived', dueAt: '2026-12-02T00:00:00.000Z', status: 'waived' }),
    ],
  },
];

describe('leadership digest content', () => {
  it('lists only open obligations, overdue first, then the nearest deadline', () => {
    expect(digestEntries(incidents, NOW).map((e) => [e.incidentId, e.obligation, e.urgency])).toEqual([
      ['INC-1', 'Send the RFO to Acme', 'overdue'],
      ['INC-2', 'Notify affected customers', 'due-soon'],
      ['INC-2', 'Notify the CNIL', 'pending'],
    ]);
  });

  it('writes one line per obligation: urgency, incident, what, owed to whom, due in the zone and in UTC', () => {
    const mail = digestMail(incidents, { now: NOW, timeZone: 'Europe/Paris', to: ['cto@example.com'] })!;
    expect(mail.key).toBe('digest/2026-12-03');
    expect(mail.to).toEqual(['cto@example.com']);
    expect(mail.subject).toBe('Incident digest 2026-12-03: 3 open obligations (1 overdue, 1 due within 4 h)');
    expect(mail.text.split('\n')).toEqual([
      'Open obligations of the 2 open incidents as of 2026-12-03 08:00 UTC+01:00 (Europe/Paris), overdue first, then nearest deadline first.',
      '',
      'OVERDUE (overdue by 2 h 05 min): INC-1 [SEV2] "Phishing": Send the RFO to Acme, owed to Acme, due 2026-12-03 05:55 UTC+01:00 (Europe/Paris) (2026-12-03T04:55:00Z UTC)',
      'DUE SOON (2 h 30 min left): INC-2 [SEV1] "Ransomware on files-01": Notify affected customers, owed to affected customers, due 2026-12-03 10:30 UTC+01:00 (Europe/Paris) (2026-12-03T09:30:00Z UTC)',
      'pending (2 d 3 h left): INC-2 [SEV1] "Ransomware on files-01": Notify the CNIL, owed to CNIL, due 2026-12-05 11:00 UTC+01:00 (Europe/Paris) (2026-12-05T10:00:00Z UTC)',
      '',
      'Details of each incident: incident show <id>.',
      '',
    ]);
    expect(mail.html).toContain('<th align="left">OVERDUE (overdue by 2 h 05 min)</th>');
    expect(mail.html).toContain('&quot;Phishing&quot;');
  });

  it('dates the digest in its own zone, not in UTC', () => {
    const lateEvening = new Date('2026-12-03T23:30:00Z');
    expect(digestMail(incidents, { now: lateEvening, timeZone: 'Europe/Paris', to: [] })!.key).toBe(
      'digest/2026-12-04',
    );
    expect(digestMail(incidents, { now: lateEvening, timeZone: 'America/New_York', to: [] })!.key).toBe(
      'digest/2026-12-03',
    );
  });

  it('sends no mail when no incident has an open obligation', () => {
    expect(digestMail([], { now: NOW, timeZone: 'Europe/Paris', to: ['cto@example.com'] })).toBeUndefined();
    const allMet: DigestIncident[] = [
      { ...incidents[1], obligations: incidents[1].obligations.map((o) => ({ ...o, status: 'met' as const })) },
    ];
    expect(digestMail(allMet, { now: NOW, timeZone: 'Europe/Paris', to: ['cto@example.com'] })).toBeUndefined();
  });
});

describe('collectDigest', () => {
  it('asks for the incidents of the task queue it runs on and keeps only their open obligations', async () => {
    const asked: string[] = [];
    const { collectDigest } = digestActivities(async (taskQueue) => {
      asked.push(taskQueue);
      return [...incidents, { incidentId: 'INC-3', title: 'Closed out', severity: 'SEV3', obligations: [] }];
    });
    const env = new MockActivityEnvironment({ taskQueue: 'digest-queue' });
    const collected = await env.run(collectDigest);
    expect(asked).toEqual(['digest-queue']);
    expect(collected.map((i) => [i.incidentId, i.obligations.map((o) => o.id)])).toEqual([
      ['INC-2', ['regulator', 'customers']],
      ['INC-1', ['rfo']],
    ]);
  });
});

describe('digest configuration', () => {
  it('defaults to 08:00 in the policy zone, to the deadline recipients', () => {
    const config = parseConfig({ policy: { timeZone: 'Europe/Berlin' } }, {});
    expect(config.digest).toEqual({
      enabled: true,
      time: '08:00',
      timeZone: 'Europe/Berlin',
      recipients: ['cto', 'dpo', 'legal'],
    });
  });

  it('names the setting that is wrong', () => {
    expect(() => parseConfig({ digest: { time: '8am', timeZone: 'Mars/Olympus', recipients: ['board'] } }, {})).toThrow(
      /digest\.time: must be a time of day as HH:MM, such as 08:00[\s\S]*digest\.timeZone: is not an IANA time zone[\s\S]*/,
    );
    expect(() => parseConfig({ digest: { recipients: ['board'] } }, {})).toThrow(
      /digest\.recipients\.0: names role "board", which has no recipients in policy\.recipients/,
    );
  });
});

describe('digest schedule', () => {
  it('starts leadershipDigest at the configured local time, skipping a run while one is still going', () => {
    const config = parseConfig(
      {
        policy: {
          recipients: {
            cto: ['cto@example.com'],
            ciso: ['ciso@example.com'],
            ceo: ['ceo@example.com', 'cto@example.com'],
            dpo: ['dpo@example.com'],
            legal: ['legal@example.com'],
          },
        },
        digest: { time: '07:45', timeZone: 'America/New_York', recipients: ['cto', 'ceo'] },
      },
      {},
    );
    const options = digestScheduleOptions(config);
    expect(options.scheduleId).toBe('leadership-digest');
    expect(options.spec).toEqual({ calendars: [{ hour: 7, minute: 45 }], timezone: 'America/New_York' });
    expect(options.policies).toEqual({ overlap: 'SKIP' });
    expect(options.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'leadershipDigest',
      taskQueue: 'incident-response',
      args: [{ timeZone: 'America/New_York', to: ['cto@example.com', 'ceo@example.com'] }],
    });
    config.temporal.taskQueue = 'tenant-b';
    expect(digestScheduleOptions(config).scheduleId).toBe('leadership-digest-tenant-b');
  });
});
