import { describe, expect, it } from 'vitest';
import type { AdapterOptions } from '../../../domain/alerts/alert';
import { guarddutyAdapter } from '../../../domain/alerts/guardduty';
import { alertOf, fieldOf } from './results';

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T02:13:00Z') };

// An EventBridge event for a GuardDuty finding, trimmed of the parts nothing reads.
const finding = {
  version: '0',
  id: 'c8c4daa7-a20c-2f03-0070-b7393dd542ad',
  'detail-type': 'GuardDuty Finding',
  source: 'aws.guardduty',
  account: '123456789012',
  time: '2026-03-01T02:12:31Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    schemaVersion: '2.0',
    accountId: '123456789012',
    region: 'eu-west-1',
    partition: 'aws',
    id: '16afba5c5c43e07c9e3e5e2e544e95df',
    arn: 'arn:aws:guardduty:eu-west-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/finding/16afba5c5c43e07c9e3e5e2e544e95df',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        instanceId: 'i-0a1b2c3d4e5f67890',
        instanceType: 't3.medium',
        launchTime: '2026-02-11T08:00:12.000Z',
        platform: null,
        networkInterfaces: [{ privateIpAddress: '10.0.4.17', publicIp: '203.0.113.10' }],
        tags: [{ key: 'Name', value: 'db-1' }],
      },
    },
    service: {
      serviceName: 'guardduty',
      detectorId: '12abc34d567e8fa901bc2d34e56789f0',
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: { connectionDirection: 'INBOUND', remoteIpDetails: { ipAddressV4: '198.51.100.7' } },
      },
      resourceRole: 'TARGET',
      additionalInfo: {},
      eventFirstSeen: '2026-03-01T02:05:01.000Z',
      eventLastSeen: '2026-03-01T02:10:44.000Z',
      archived: false,
      count: 14,
    },
    severity: 8,
    createdAt: '2026-03-01T02:12:09.362Z',
    updatedAt: '2026-03-01T02:12:09.362Z',
    title: '198.51.100.7 is performing SSH brute force attacks against i-0a1b2c3d4e5f67890.',
    description:
      '198.51.100.7 is performing SSH brute force attacks against i-0a1b2c3d4e5f67890. Brute force attacks are used to gain unauthorized access to your instance by guessing the SSH password.',
  },
};

// The same finding seen again: a new EventBridge event id, a later updatedAt, a higher count.
const update = {
  ...finding,
  id: '0b9e5c1a-7d44-4f0e-92a1-3c5d7e9f1a2b',
  time: '2026-03-01T02:42:31Z',
  detail: {
    ...finding.detail,
    updatedAt: '2026-03-01T02:42:10.118Z',
    service: { ...finding.detail.service, eventLastSeen: '2026-03-01T02:40:02.000Z', count: 37 },
  },
};

function withDetail(change: (detail: Record<string, any>) => void): unknown {
  const copy = structuredClone(finding) as any;
  change(copy.detail);
  return copy;
}

describe('guardduty adapter', () => {
  it('normalises a finding', () => {
    expect(alertOf(guarddutyAdapter(finding, options))).toEqual({
      source: 'guardduty',
      dedupKey: '16afba5c5c43e07c9e3e5e2e544e95df',
      correlationKey: '16afba5c5c43e07c9e3e5e2e544e95df',
      status: 'firing',
      severity: 'SEV1',
      category: 'intrusion',
      title: '198.51.100.7 is performing SSH brute force attacks against i-0a1b2c3d4e5f67890.',
      systems: ['i-0a1b2c3d4e5f67890'],
      observedAt: '2026-03-01T02:05:01.000Z',
      raw: finding,
    });
  });

  it('takes an update of the same finding id as the same alert, first seen at the same time', () => {
    const first = alertOf(guarddutyAdapter(finding, options));
    const later = alertOf(guarddutyAdapter(update, options));
    expect(later.dedupKey).toBe(first.dedupKey);
    expect(later.correlationKey).toBe(first.correlationKey);
    expect(later.observedAt).toBe(first.observedAt);
    expect(later.raw).toBe(update);
  });

  it('maps GuardDuty severity bands, and the configured map by band name', () => {
    const severityOf = (severity: number, opts: AdapterOptions = options) =>
      alertOf(
        guarddutyAdapter(
          withDetail((d) => (d.severity = severity)),
          opts,
        ),
      ).severity;
    expect(severityOf(8.0)).toBe('SEV1');
    expect(severityOf(9.5)).toBe('SEV1');
    expect(severityOf(7)).toBe('SEV1');
    expect(severityOf(6.9)).toBe('SEV2');
    expect(severityOf(5.0)).toBe('SEV2');
    expect(severityOf(4)).toBe('SEV2');
    expect(severityOf(3.9)).toBe('SEV3');
    expect(severityOf(1)).toBe('SEV3');
    expect(severityOf(0.5)).toBe('SEV4');
    expect(severityOf(8, { ...options, severityMap: { high: 'SEV2' } })).toBe('SEV2');
    expect(severityOf(5, { ...options, severityMap: { medium: 'SEV1' } })).toBe('SEV1');
    expect(severityOf(2, { ...options, severityMap: { low: 'SEV4' } })).toBe('SEV4');
  });

  it('falls back from eventFirstSeen to createdAt, the event time and the receive time', () => {
    const observedAt = (change: (d: Record<string, any>) => void, top: Record<string, unknown> = {}) =>
      alertOf(guarddutyAdapter({ ...(withDetail(change) as object), ...top }, options)).observedAt;
    expect(observedAt((d) => delete d.service)).toBe('2026-03-01T02:12:09.362Z');
    expect(observedAt((d) => delete d.service.eventFirstSeen)).toBe('2026-03-01T02:12:09.362Z');
    expect(observedAt((d) => (delete d.service, delete d.createdAt))).toBe('2026-03-01T02:12:31.000Z');
    expect(observedAt((d) => (delete d.service, delete d.createdAt), { time: undefined })).toBe(
      '2026-03-01T02:13:00.000Z',
    );
  });

  it('accepts a finding about an access key, with no instance, and uses the type when there is no title', () => {
    const iamFinding = withDetail((d) => {
      d.type = 'Recon:IAMUser/MaliciousIPCaller';
      d.severity = 5.0;
      d.resource = {
        resourceType: 'AccessKey',
        accessKeyDetails: { accessKeyId: 'ASIAEXAMPLE', userName: 'deploy', userType: 'IAMUser' },
      };
      delete d.title;
      d.newFieldFromAws = { x: 1 };
    });
    expect(alertOf(guarddutyAdapter(iamFinding, options))).toMatchObject({
      title: 'Recon:IAMUser/MaliciousIPCaller',
      severity: 'SEV2',
      systems: [],
    });
  });

  it('refuses invalid events naming the offending field', () => {
    const cases: [unknown, string][] = [
      ['finding', '$'],
      [{ ...finding, source: 'aws.securityhub' }, 'source'],
      [{ ...finding, source: undefined }, 'source'],
      [{ ...finding, 'detail-type': 'Security Hub Findings - Imported' }, 'detail-type'],
      [{ ...finding, detail: undefined }, 'detail'],
      [{ ...finding, detail: [] }, 'detail'],
      [withDetail((d) => delete d.id), 'detail.id'],
      [withDetail((d) => (d.id = 16)), 'detail.id'],
      [withDetail((d) => (d.severity = 'HIGH')), 'detail.severity'],
      [withDetail((d) => (d.severity = 11)), 'detail.severity'],
      [withDetail((d) => delete d.severity), 'detail.severity'],
      [withDetail((d) => (delete d.title, delete d.type)), 'detail.title'],
      [withDetail((d) => (d.title = { text: 'x' })), 'detail.title'],
      [withDetail((d) => (d.resource = 'i-0a1b2c3d4e5f67890')), 'detail.resource'],
      [withDetail((d) => (d.resource.instanceDetails = 5)), 'detail.resource.instanceDetails'],
      [withDetail((d) => (d.resource.instanceDetails.instanceId = 5)), 'detail.resource.instanceDetails.instanceId'],
      [withDetail((d) => (d.service = 'guardduty')), 'detail.service'],
      [withDetail((d) => (d.service.eventFirstSeen = '01/03/2026')), 'detail.service.eventFirstSeen'],
      [withDetail((d) => (delete d.service, (d.createdAt = 1772331000000))), 'detail.createdAt'],
    ];
    for (const [body, field] of cases)
      expect(fieldOf(guarddutyAdapter(body, options)), JSON.stringify(body)?.slice(0, 200)).toBe(field);
  });
});
