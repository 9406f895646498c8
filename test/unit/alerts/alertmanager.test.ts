import { describe, expect, it } from 'vitest';
import type { AdapterOptions } from '../../../domain/alerts/alert';
import { alertmanagerAdapter, instanceHost } from '../../../domain/alerts/alertmanager';
import { alertsOf, failureOf } from './results';

const options: AdapterOptions = { receivedAt: new Date('2026-03-01T02:11:00Z') };

const firing = {
  status: 'firing',
  labels: {
    alertname: 'SSHBruteForce',
    instance: 'db-1.internal:9100',
    job: 'node',
    severity: 'critical',
    category: 'intrusion',
    team: 'platform',
  },
  annotations: {
    summary: 'SSH brute force against db-1 (412 failed logins in 5m)',
    description: 'More than 100 failed SSH logins per minute from 198.51.100.7.',
    runbook_url: 'https://runbooks.example.com/ssh-brute-force',
  },
  startsAt: '2026-03-01T02:10:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL:
    'http://prometheus.monitoring:9090/graph?g0.expr=rate%28sshd_failed_logins_total%5B1m%5D%29+%3E+100&g0.tab=1',
  fingerprint: 'b6c4d2f1a9e87035',
};

const resolved = {
  status: 'resolved',
  labels: {
    alertname: 'SSHBruteForce',
    instance: '10.0.4.17:9100',
    job: 'node',
    severity: 'critical',
    node: 'k8s-worker-3',
  },
  annotations: { summary: 'SSH brute force against web-2 (120 failed logins in 5m)' },
  startsAt: '2026-03-01T01:55:12.5+01:00',
  endsAt: '2026-03-01T02:09:30Z',
  generatorURL:
    'http://prometheus.monitoring:9090/graph?g0.expr=rate%28sshd_failed_logins_total%5B1m%5D%29+%3E+100&g0.tab=1',
  fingerprint: '5e1f0a3c77d2b914',
};

const group = {
  version: '4',
  groupKey: '{}/{severity="critical"}:{alertname="SSHBruteForce"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'incident-response',
  groupLabels: { alertname: 'SSHBruteForce' },
  commonLabels: { alertname: 'SSHBruteForce', job: 'node', severity: 'critical' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.monitoring:9093',
  alerts: [firing, resolved],
};

/** A copy of the group with alerts[0] changed by `change`. */
function withFirst(change: (alert: Record<string, any>) => void): unknown {
  const copy = structuredClone(group) as any;
  change(copy.alerts[0]);
  return copy;
}

describe('alertmanager adapter', () => {
  it('gives one alert per entry, each with its own status, keyed by fingerprint and correlated by groupKey', () => {
    const alerts = alertsOf(alertmanagerAdapter(group, options));
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toEqual({
      source: 'alertmanager',
      dedupKey: 'b6c4d2f1a9e87035',
      correlationKey: '{}/{severity="critical"}:{alertname="SSHBruteForce"}',
      status: 'firing',
      severity: 'SEV1',
      category: 'intrusion',
      title: 'SSH brute force against db-1 (412 failed logins in 5m)',
      systems: ['db-1.internal'],
      observedAt: '2026-03-01T02:10:00.123Z',
      raw: firing,
    });
    expect(alerts[1]).toMatchObject({
      dedupKey: '5e1f0a3c77d2b914',
      correlationKey: group.groupKey,
      status: 'resolved',
      systems: ['10.0.4.17', 'k8s-worker-3'],
      observedAt: '2026-03-01T00:55:12.500Z',
      raw: resolved,
    });
  });

  it('does not take the group status for its alerts', () => {
    const allResolved = { ...group, status: 'resolved', alerts: [firing] };
    expect(alertsOf(alertmanagerAdapter(allResolved, options))[0].status).toBe('firing');
  });

  it('normalises the alerts a truncated group still carries', () => {
    const truncated = { ...group, truncatedAlerts: 37, alerts: [firing] };
    const alerts = alertsOf(alertmanagerAdapter(truncated, options));
    expect(alerts.map((a) => a.dedupKey)).toEqual(['b6c4d2f1a9e87035']);
  });

  it('accepts an empty group', () => {
    expect(alertsOf(alertmanagerAdapter({ ...group, alerts: [] }, options))).toEqual([]);
  });

  it('takes the title from summary, then description, then alertname', () => {
    const noSummary = withFirst((a) => delete a.annotations.summary);
    expect(alertsOf(alertmanagerAdapter(noSummary, options))[0].title).toBe(
      'More than 100 failed SSH logins per minute from 198.51.100.7.',
    );
    const onlyName = withFirst((a) => (a.annotations = {}));
    expect(alertsOf(alertmanagerAdapter(onlyName, options))[0].title).toBe('SSHBruteForce');
    const blankSummary = withFirst((a) => (a.annotations = { summary: '  \n ' }));
    expect(alertsOf(alertmanagerAdapter(blankSummary, options))[0].title).toBe('SSHBruteForce');
  });

  it('maps severity labels through the defaults, the configured map and the configured default', () => {
    const severityOf = (severity: unknown, opts: AdapterOptions = options) =>
      alertsOf(
        alertmanagerAdapter(
          withFirst((a) => (a.labels.severity = severity)),
          opts,
        ),
      )[0].severity;
    expect(severityOf('critical')).toBe('SEV1');
    expect(severityOf('error')).toBe('SEV2');
    expect(severityOf('high')).toBe('SEV2');
    expect(severityOf('Warning')).toBe('SEV3');
    expect(severityOf('medium')).toBe('SEV3');
    expect(severityOf('info')).toBe('SEV4');
    expect(severityOf('low')).toBe('SEV4');
    expect(severityOf('page')).toBe('SEV3');
    expect(severityOf('constructor')).toBe('SEV3');
    expect(severityOf('page', { ...options, defaultSeverity: 'SEV2' })).toBe('SEV2');
    expect(severityOf('P1', { ...options, severityMap: { P1: 'SEV1' } })).toBe('SEV1');
    expect(severityOf('critical', { ...options, severityMap: { critical: 'SEV2' } })).toBe('SEV2');
    const unlabelled = withFirst((a) => delete a.labels.severity);
    expect(alertsOf(alertmanagerAdapter(unlabelled, { ...options, defaultSeverity: 'SEV4' }))[0].severity).toBe('SEV4');
  });

  it('takes the category label only when it is a known category', () => {
    const categoryOf = (category: string | undefined, opts: AdapterOptions = options) =>
      alertsOf(
        alertmanagerAdapter(
          withFirst((a) => (category === undefined ? delete a.labels.category : (a.labels.category = category))),
          opts,
        ),
      )[0].category;
    expect(categoryOf('malware')).toBe('malware');
    expect(categoryOf('denial-of-service')).toBe('denial-of-service');
    expect(categoryOf('ransomware')).toBe('intrusion');
    expect(categoryOf(undefined)).toBe('intrusion');
    expect(categoryOf('ransomware', { ...options, defaultCategory: 'other' })).toBe('other');
  });

  it('collects systems from instance, host, hostname and node, deduplicated, dropping invalid names', () => {
    const systemsOf = (labels: Record<string, string>) =>
      alertsOf(
        alertmanagerAdapter(
          withFirst((a) => (a.labels = { alertname: 'X', ...labels })),
          options,
        ),
      )[0].systems;
    expect(systemsOf({ instance: 'db-1:9100', host: 'db-1', hostname: 'db-1.internal', node: 'k8s-node-2' })).toEqual([
      'db-1',
      'db-1.internal',
      'k8s-node-2',
    ]);
    expect(systemsOf({ instance: 'web server 1', host: '-db', hostname: 'x'.repeat(129), node: 'ok-node' })).toEqual([
      'ok-node',
    ]);
    expect(systemsOf({ instance: '[fe80::1]:9100' })).toEqual(['fe80::1']);
    expect(systemsOf({ instance: 'https://shop.example.com/health' })).toEqual(['shop.example.com']);
    expect(systemsOf({ job: 'node' })).toEqual([]);
  });

  it('strips a port from an instance label and nothing else', () => {
    expect(instanceHost('db-1.internal:9100')).toBe('db-1.internal');
    expect(instanceHost('10.0.4.17:9100')).toBe('10.0.4.17');
    expect(instanceHost('[2001:db8::7]:9100')).toBe('2001:db8::7');
    expect(instanceHost('2001:db8::7')).toBe('2001:db8::7');
    expect(instanceHost('db-1')).toBe('db-1');
    expect(instanceHost('http://10.0.0.9:9115/probe?target=x')).toBe('10.0.0.9');
  });

  it('accepts missing optional fields and ignores unknown ones', () => {
    const minimal = {
      groupKey: '{}:{alertname="DiskFull"}',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull' },
          startsAt: '2026-03-01T02:10:00Z',
          fingerprint: 'ff00ff00ff00ff00',
          vendorExtra: { a: 1 },
        },
      ],
      somethingNew: true,
    };
    expect(alertsOf(alertmanagerAdapter(minimal, options))).toEqual([
      {
        source: 'alertmanager',
        dedupKey: 'ff00ff00ff00ff00',
        correlationKey: '{}:{alertname="DiskFull"}',
        status: 'firing',
        severity: 'SEV3',
        category: 'intrusion',
        title: 'DiskFull',
        systems: [],
        observedAt: '2026-03-01T02:10:00.000Z',
        raw: minimal.alerts[0],
      },
    ]);
  });

  it('refuses invalid payloads naming the offending field', () => {
    const cases: [unknown, string][] = [
      [null, '$'],
      ['{"version":"4"}', '$'],
      [[group], '$'],
      [{ ...group, version: '3' }, 'version'],
      [{ ...group, version: 4 }, 'version'],
      [{ ...group, groupKey: undefined }, 'groupKey'],
      [{ ...group, groupKey: 42 }, 'groupKey'],
      [{ ...group, truncatedAlerts: '3' }, 'truncatedAlerts'],
      [{ ...group, alerts: undefined }, 'alerts'],
      [{ ...group, alerts: { 0: firing } }, 'alerts'],
      [{ ...group, alerts: [firing, 'resolved'] }, 'alerts[1]'],
      [withFirst((a) => (a.status = 'pending')), 'alerts[0].status'],
      [withFirst((a) => delete a.status), 'alerts[0].status'],
      [withFirst((a) => delete a.fingerprint), 'alerts[0].fingerprint'],
      [withFirst((a) => (a.fingerprint = '')), 'alerts[0].fingerprint'],
      [withFirst((a) => delete a.labels), 'alerts[0].labels'],
      [withFirst((a) => (a.labels = ['alertname=X'])), 'alerts[0].labels'],
      [withFirst((a) => (a.annotations = 'none')), 'alerts[0].annotations'],
      [withFirst((a) => (a.annotations.summary = 12)), 'alerts[0].annotations.summary'],
      [withFirst((a) => (a.labels.severity = 2)), 'alerts[0].labels.severity'],
      [withFirst((a) => (a.labels.instance = ['db-1'])), 'alerts[0].labels.instance'],
      [
        withFirst((a) => {
          a.labels = {};
          a.annotations = {};
        }),
        'alerts[0].labels.alertname',
      ],
      [withFirst((a) => delete a.startsAt), 'alerts[0].startsAt'],
      [withFirst((a) => (a.startsAt = 1772331000000)), 'alerts[0].startsAt'],
      [withFirst((a) => (a.startsAt = '2026-03-01T02:10:00')), 'alerts[0].startsAt'],
      [withFirst((a) => (a.startsAt = '2026-02-30T02:10:00Z')), 'alerts[0].startsAt'],
      [withFirst((a) => (a.startsAt = 'yesterday')), 'alerts[0].startsAt'],
    ];
    for (const [body, field] of cases) {
      const failure = failureOf(alertmanagerAdapter(body, options));
      expect(failure.field, JSON.stringify(body)?.slice(0, 200)).toBe(field);
      expect(failure.message).toMatch(/^Expected /);
    }
  });

  it('says what a time should look like', () => {
    const failure = failureOf(
      alertmanagerAdapter(
        withFirst((a) => (a.startsAt = 'yesterday')),
        options,
      ),
    );
    expect(failure.message).toBe(
      'Expected an ISO 8601 time with a zone such as 2026-03-01T02:10:00Z, got the string "yesterday".',
    );
  });
});
