import { describe, expect, it } from 'vitest';
import type { AdapterOptions } from '../../../domain/alerts/alert';
import { ocsfAdapter } from '../../../domain/alerts/ocsf';
import { alertOf, fieldOf } from './results';

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T02:11:00Z') };

const created = {
  activity_id: 1,
  activity_name: 'Create',
  category_uid: 2,
  category_name: 'Findings',
  class_uid: 2004,
  class_name: 'Detection Finding',
  type_uid: 200401,
  type_name: 'Detection Finding: Create',
  severity_id: 4,
  severity: 'High',
  status_id: 1,
  status: 'New',
  time: 1772331000000,
  message: 'Encoded PowerShell command downloaded and ran a payload',
  metadata: { version: '1.3.0', product: { name: 'Example EDR', vendor_name: 'Example Corp' }, uid: 'evt-99231' },
  finding_info: {
    uid: 'f-7c1e2a90-4b1d-4a55-9d0e-2b7c1f3e8a61',
    title: 'Encoded PowerShell download cradle',
    desc: 'powershell.exe -enc ... fetched http://203.0.113.50/a.ps1 and executed it.',
    types: ['Execution'],
    analytic: { name: 'PS download cradle', type_id: 1, type: 'Rule' },
    created_time: 1772331000000,
  },
  resources: [
    { name: 'ws-042', uid: 'a3c9e1f0-0d4b-4f1e-8c2a-9b7e6d5c4b3a', type: 'Device' },
    { name: 'ws-042.corp.example.com', uid: 'host-42', type: 'Device' },
  ],
  evidences: [{ process: { name: 'powershell.exe', pid: 4242 } }],
};

const closed = {
  ...created,
  activity_id: 3,
  activity_name: 'Close',
  type_uid: 200403,
  status_id: 4,
  status: 'Resolved',
  time: 1772335530250,
};

describe('ocsf adapter', () => {
  it('normalises a created finding', () => {
    expect(alertOf(ocsfAdapter(created, options))).toEqual({
      source: 'ocsf',
      dedupKey: 'f-7c1e2a90-4b1d-4a55-9d0e-2b7c1f3e8a61',
      correlationKey: 'f-7c1e2a90-4b1d-4a55-9d0e-2b7c1f3e8a61',
      status: 'firing',
      severity: 'SEV2',
      category: 'intrusion',
      title: 'Encoded PowerShell download cradle',
      systems: ['ws-042', 'ws-042.corp.example.com'],
      observedAt: '2026-03-01T02:10:00.000Z',
      raw: created,
    });
  });

  it('resolves the same alert when the finding is closed', () => {
    const first = alertOf(ocsfAdapter(created, options));
    const close = alertOf(ocsfAdapter(closed, options));
    expect(close.dedupKey).toBe(first.dedupKey);
    expect(close.status).toBe('resolved');
    expect(close.observedAt).toBe('2026-03-01T03:25:30.250Z');
    expect(alertOf(ocsfAdapter({ ...created, activity_id: 2 }, options)).status).toBe('firing');
  });

  it('maps severity_id, and the configured map by severity_id', () => {
    const severityOf = (severity_id: number, opts: AdapterOptions = options) =>
      alertOf(ocsfAdapter({ ...created, severity_id }, opts)).severity;
    expect([6, 5, 4, 3, 2, 1, 0, 99].map((id) => severityOf(id))).toEqual([
      'SEV1',
      'SEV1',
      'SEV2',
      'SEV3',
      'SEV4',
      'SEV4',
      'SEV4',
      'SEV4',
    ]);
    expect(severityOf(4, { ...options, severityMap: { '4': 'SEV1' } })).toBe('SEV1');
    expect(severityOf(1, { ...options, severityMap: { '1': 'SEV3' } })).toBe('SEV3');
  });

  it('takes each resource name, or its uid when the name is missing or not a system name', () => {
    const systemsOf = (resources: unknown) => alertOf(ocsfAdapter({ ...created, resources }, options)).systems;
    expect(
      systemsOf([
        { uid: 'i-0abc', type: 'Device' },
        { name: 'Finance laptop', uid: 'host-7' },
        { name: 'db 1', uid: 'not valid either' },
        { type: 'Device' },
      ]),
    ).toEqual(['i-0abc', 'host-7']);
    expect(systemsOf([{ name: 'ws-042' }, { name: 'ws-042' }])).toEqual(['ws-042']);
    expect(systemsOf(undefined)).toEqual([]);
  });

  it('accepts a finding without resources and a title, using message then desc', () => {
    const { resources: _r, ...noResources } = created;
    const noTitle = { ...noResources, finding_info: { uid: 'f-1', desc: 'desc text' } };
    expect(alertOf(ocsfAdapter(noTitle, options))).toMatchObject({
      title: 'Encoded PowerShell command downloaded and ran a payload',
      systems: [],
    });
    const { message: _m, ...noMessage } = noTitle;
    expect(alertOf(ocsfAdapter(noMessage, options)).title).toBe('desc text');
  });

  it('refuses invalid findings naming the offending field', () => {
    const cases: [unknown, string][] = [
      [null, '$'],
      [{ ...created, class_uid: 2003 }, 'class_uid'],
      [{ ...created, class_uid: '2004' }, 'class_uid'],
      [{ ...created, activity_id: 7 }, 'activity_id'],
      [{ ...created, activity_id: undefined }, 'activity_id'],
      [{ ...created, severity_id: '4' }, 'severity_id'],
      [{ ...created, severity_id: 4.5 }, 'severity_id'],
      [{ ...created, time: '2026-03-01T02:10:00Z' }, 'time'],
      [{ ...created, time: undefined }, 'time'],
      [{ ...created, time: 1772331000 }, 'time'],
      [{ ...created, time: Number.POSITIVE_INFINITY }, 'time'],
      [{ ...created, time: 9e15 }, 'time'],
      [{ ...created, finding_info: undefined }, 'finding_info'],
      [{ ...created, finding_info: { title: 'no uid' } }, 'finding_info.uid'],
      [{ ...created, finding_info: { uid: 7, title: 't' } }, 'finding_info.uid'],
      [{ ...created, finding_info: { uid: 'f-1' }, message: undefined }, 'finding_info.title'],
      [{ ...created, finding_info: { uid: 'f-1', title: 42 } }, 'finding_info.title'],
      [{ ...created, resources: { name: 'ws-042' } }, 'resources'],
      [{ ...created, resources: [{ name: 'ws-042' }, 'ws-043'] }, 'resources[1]'],
      [{ ...created, resources: [{ name: 'ws-042' }, { name: 43 }] }, 'resources[1].name'],
      [{ ...created, resources: [{ uid: ['x'] }] }, 'resources[0].uid'],
    ];
    for (const [body, field] of cases)
      expect(fieldOf(ocsfAdapter(body, options)), JSON.stringify(body)?.slice(0, 200)).toBe(field);
  });
});
